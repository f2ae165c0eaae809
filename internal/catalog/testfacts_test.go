package catalog

import (
	"reflect"

	"ciiguard/internal/rules"
)

// testLogs stands for the logs capability's fact set (internal/logs.Facts) in the
// catalog's own fixtures, which cannot import a capability: the same CEL variable and
// fields, so the fixtures read log facts as the embedded catalog does.
type testLogs struct {
	RetentionDays int64 `cel:"retention_days" label:"日志留存天数|log retention in days"`
	Sources       int64 `cel:"sources" label:"日志来源数|log sources"`
}

// withTestLogs declares testLogs as the `logs` fact set.
var withTestLogs = rules.WithFacts(rules.FactSet{Name: "logs", Type: reflect.TypeFor[testLogs]()})
