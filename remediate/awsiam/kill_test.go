package awsiam_test

func runChild() int { return 0 }

const childEnv = "PROVOST_REMEDIATE_KILL_CHILD"
