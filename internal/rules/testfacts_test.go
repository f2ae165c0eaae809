package rules

import "reflect"

// testLogs stands for the logs capability's fact set (internal/logs.Facts) in this
// package's tests, which cannot import a capability: the `logs` CEL variable with its
// fields and bilingual labels.
type testLogs struct {
	RetentionDays int64 `cel:"retention_days" label:"日志留存天数|log retention in days"`
	Sources       int64 `cel:"sources" label:"日志来源数|log sources"`
}

// testLogsSet declares testLogs as the `logs` fact set.
var testLogsSet = FactSet{Name: "logs", Type: reflect.TypeFor[testLogs]()}

// withLogs returns f with the logs fact set's value set to l.
func withLogs(f Facts, l testLogs) Facts {
	f.Extra = map[string]any{"logs": &l}
	return f
}
