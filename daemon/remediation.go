package daemon

import (
	"errors"
	"net/http"

	"github.com/provost-dev/provost/audit"
)

// plansAnswer is the answer of GET /api/v1/remediation/plans: the plan of the latest run that
// made one, with its steps, blocked steps, outcomes and approval.
type plansAnswer struct {
	Plan *audit.PlanRecord `json:"plan"`
}

func (d *Daemon) getPlans(w http.ResponseWriter, _ *http.Request) {
	rec, err := audit.LatestPlan(d.db)
	switch {
	case errors.Is(err, audit.ErrNoPlan):
		d.fail(w, errNotFound, "no remediation plan yet: remediation is off or no run has finished")
	case err != nil:
		d.fail(w, errInternal, err.Error())
	default:
		writeJSON(w, http.StatusOK, plansAnswer{Plan: rec})
	}
}

// approvePlan approves the latest plan's acting steps that no automatic rule covers; the next
// run applies them. Approving a plan other than the latest is 404 (it was made from a
// superseded snapshot).
func (d *Daemon) approvePlan(w http.ResponseWriter, r *http.Request) {
	a, err := audit.Approve(r.Context(), d.db, r.PathValue("id"), d.now())
	switch {
	case errors.Is(err, audit.ErrNoPlan):
		d.fail(w, errNotFound, err.Error())
	case err != nil:
		d.fail(w, errInternal, err.Error())
	default:
		d.log.Info("remediation plan approved", "plan", a.PlanID, "steps", len(a.Steps))
		writeJSON(w, http.StatusOK, a)
	}
}
