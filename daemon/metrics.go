package daemon

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/provost-dev/provost/finding"
)

// metrics are the daemon's Prometheus series, on a registry of its own (no global state).
type metrics struct {
	reg          *prometheus.Registry
	stage        *prometheus.HistogramVec
	runs         *prometheus.CounterVec
	skipped      prometheus.Counter
	inProgress   prometheus.Gauge
	principals   *prometheus.GaugeVec
	findings     *prometheus.GaugeVec
	apiErrors    *prometheus.CounterVec
	lastSuccess  prometheus.Gauge
	notifyErrors prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		stage: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "provost_run_stage_duration_seconds", Help: "Duration of each stage of an audit run.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10),
		}, []string{"stage"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "provost_runs_total", Help: "Audit runs by trigger and outcome.",
		}, []string{"trigger", "status"}),
		skipped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "provost_runs_skipped_total", Help: "Scheduled ticks skipped because a run was still going.",
		}),
		inProgress: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "provost_run_in_progress", Help: "1 while an audit run is going.",
		}),
		principals: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "provost_principals", Help: "Principals collected per source in the last successful run.",
		}, []string{"source"}),
		findings: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "provost_findings_open", Help: "Open findings by severity and check in the last successful run.",
		}, []string{"severity", "check"}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "provost_api_errors_total", Help: "API requests answered with an error, by kind.",
		}, []string{"kind"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "provost_last_success_timestamp_seconds", Help: "Unix time the last successful run finished.",
		}),
		notifyErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "provost_notify_errors_total", Help: "Notifications that could not be delivered after retries.",
		}),
	}
	m.reg.MustRegister(m.stage, m.runs, m.skipped, m.inProgress, m.principals, m.findings, m.apiErrors, m.lastSuccess, m.notifyErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe records a finished run.
func (m *metrics) observe(run Run) {
	m.runs.WithLabelValues(run.Trigger, run.Status).Inc()
	if run.Status != StatusSucceeded || run.Result == nil {
		return
	}
	res := run.Result
	for _, s := range res.Stages {
		m.stage.WithLabelValues(s.Name).Observe(s.Duration.Seconds())
	}
	m.principals.Reset()
	per := map[string]int{}
	for _, c := range res.Coverage {
		per[c.Source] += c.Counts["principals"]
	}
	for src, n := range per {
		m.principals.WithLabelValues(src).Set(float64(n))
	}
	m.findings.Reset()
	for _, f := range res.Findings {
		if f.Status == finding.StatusOpen {
			m.findings.WithLabelValues(f.Severity.String(), f.CheckID).Inc()
		}
	}
	m.lastSuccess.Set(float64(run.Finished.UnixNano()) / 1e9)
}
