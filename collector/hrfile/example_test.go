package hrfile_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/provost-dev/provost/collector/hrfile"
	"github.com/provost-dev/provost/inventory"
)

func Example() {
	dir, _ := os.MkdirTemp("", "hrfile-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "workday.csv")
	_ = os.WriteFile(path, []byte("Employee ID,Work Email,Legal Name,Worker Status\n"+
		"1001,ada@corp.example,Ada Lovelace,Active\n"+
		"1002,bob@corp.example,Bob Smith,Terminated\n"+
		"1003,cy@corp.example,Cy Young,Leave of Absence\n"), 0o600)

	src, err := hrfile.New(hrfile.Options{
		Name: "workday",
		Path: path,
		Columns: hrfile.Columns{EmployeeID: "Employee ID", Email: "Work Email", Name: "Legal Name",
			Status: "Worker Status"},
		StatusValues: map[string]inventory.PersonStatus{"Leave of Absence": inventory.PersonLeave},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := src.Collect(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Coverage[0].Status, res.Coverage[0].Counts["people"], "people")
	for _, p := range res.People {
		fmt.Println(p.ID, p.Emails[0], p.Status)
	}
	// Output:
	// complete 3 people
	// workday:1001 ada@corp.example active
	// workday:1002 bob@corp.example terminated
	// workday:1003 cy@corp.example leave
}
