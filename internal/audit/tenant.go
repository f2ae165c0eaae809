package audit

import (
	"reflect"

	"ciiguard/internal/store"
)

// InTenant records an entry for the tenant's organisation in the tenant's transaction:
// what a capability's service calls inside db.WriteTenant. before and after are the
// record's values; nil, or a nil pointer, where there is none.
func InTenant(t *store.Tenant, entity, entityID, action string, before, after any, detail string) error {
	return Record(t.Tx(), t.OrgID(), entity, entityID, action, before, after, detail)
}

// isNil reports whether v is nil or a nil pointer, map, slice or interface in an interface.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
