package httpapi

import (
	"reflect"
	"time"
)

// Every instant in an answer is RFC 3339 in one convention: UTC, with "Z" (openapi.yaml's info
// says so). Moments are computed in Asia/Almaty (a due moment is 23:59:59 of a working day there)
// and read back from the store with the offset they were written with; inUTC turns them all to UTC
// at the boundary, whichever view carries them. A human date (a plan's date, an act's date, an
// audit day) is a YYYY-MM-DD string of the Almaty calendar and is left as it is.

var timeType = reflect.TypeFor[time.Time]()

// inUTC returns v with every time.Time it holds (in fields, pointers, slices, arrays, maps and
// interfaces) in UTC. v itself is never modified: what it points to is copied where a time changes.
func inUTC(v any) any {
	if v == nil {
		return nil
	}
	out, changed := utcValue(reflect.ValueOf(v))
	if !changed {
		return v
	}
	return out.Interface()
}

// utcValue returns a copy of v with its times in UTC, and whether any time was not already UTC.
func utcValue(v reflect.Value) (reflect.Value, bool) {
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		if t.Location() == time.UTC {
			return v, false
		}
		return reflect.ValueOf(t.UTC()), true
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		elem, changed := utcValue(v.Elem())
		if !changed {
			return v, false
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(elem)
		return p, true
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		inner, changed := utcValue(v.Elem())
		if !changed {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(inner)
		return out, true
	case reflect.Struct:
		var out reflect.Value
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			f, changed := utcValue(v.Field(i))
			if !changed {
				continue
			}
			if !out.IsValid() {
				out = reflect.New(v.Type()).Elem()
				out.Set(v)
			}
			out.Field(i).Set(f)
		}
		if !out.IsValid() {
			return v, false
		}
		return out, true
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return v, false
		}
		var out reflect.Value
		for i := range v.Len() {
			e, changed := utcValue(v.Index(i))
			if !changed {
				continue
			}
			if !out.IsValid() {
				if v.Kind() == reflect.Slice {
					out = reflect.MakeSlice(v.Type(), v.Len(), v.Len())
					reflect.Copy(out, v)
				} else {
					out = reflect.New(v.Type()).Elem()
					out.Set(v)
				}
			}
			out.Index(i).Set(e)
		}
		if !out.IsValid() {
			return v, false
		}
		return out, true
	case reflect.Map:
		if v.IsNil() {
			return v, false
		}
		var out reflect.Value
		iter := v.MapRange()
		for iter.Next() {
			e, changed := utcValue(iter.Value())
			if !changed {
				continue
			}
			if !out.IsValid() {
				out = reflect.MakeMapWithSize(v.Type(), v.Len())
				for _, k := range v.MapKeys() {
					out.SetMapIndex(k, v.MapIndex(k))
				}
			}
			out.SetMapIndex(iter.Key(), e)
		}
		if !out.IsValid() {
			return v, false
		}
		return out, true
	}
	return v, false
}
