package policy

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// Difference is one field in which two editions differ.
type Difference struct {
	Path string // field path in the edition file, e.g. periods.decision.amount
	From string // the value in the first edition, or "(absent)"
	To   string // the value in the second edition, or "(absent)"
}

const absent = "(absent)"

// Diff lists the fields in which edition b differs from edition a, in the order of the file:
// periods in the order of the procedure, other maps by key, list entries by their id or number.
func Diff(a, b *Edition) []Difference {
	var out []Difference
	diffValue(&out, "", reflect.ValueOf(*a.spec), reflect.ValueOf(*b.spec))
	return out
}

func diffValue(out *[]Difference, path string, a, b reflect.Value) {
	for a.Kind() == reflect.Pointer || b.Kind() == reflect.Pointer {
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				*out = append(*out, Difference{Path: path, From: render(a), To: render(b)})
			}
			return
		}
		a, b = a.Elem(), b.Elem()
	}
	switch a.Kind() {
	case reflect.Struct:
		t := a.Type()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			diffValue(out, join(path, name), a.Field(i), b.Field(i))
		}
	case reflect.Map:
		for _, k := range mapKeys(path, a, b) {
			av, bv := a.MapIndex(reflect.ValueOf(k)), b.MapIndex(reflect.ValueOf(k))
			p := join(path, k)
			switch {
			case !av.IsValid() && !bv.IsValid():
			case !av.IsValid():
				*out = append(*out, Difference{Path: p, From: absent, To: render(bv)})
			case !bv.IsValid():
				*out = append(*out, Difference{Path: p, From: render(av), To: absent})
			default:
				diffValue(out, p, av, bv)
			}
		}
	case reflect.Slice:
		if a.Type().Elem().Kind() != reflect.Struct {
			if ra, rb := render(a), render(b); ra != rb {
				*out = append(*out, Difference{Path: path, From: ra, To: rb})
			}
			return
		}
		ka, kb := keyed(a), keyed(b)
		var keys []string
		for i := range a.Len() {
			keys = append(keys, entryKey(a.Index(i), i))
		}
		for i := range b.Len() {
			if k := entryKey(b.Index(i), i); !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			av, aok := ka[k]
			bv, bok := kb[k]
			p := fmt.Sprintf("%s[%s]", path, k)
			switch {
			case !aok:
				*out = append(*out, Difference{Path: p, From: absent, To: render(bv)})
			case !bok:
				*out = append(*out, Difference{Path: p, From: render(av), To: absent})
			default:
				diffValue(out, p, av, bv)
			}
		}
	default:
		if ra, rb := render(a), render(b); ra != rb {
			*out = append(*out, Difference{Path: path, From: ra, To: rb})
		}
	}
}

// mapKeys returns the union of the keys of a and b: step keys in the order of the procedure, others sorted.
func mapKeys(path string, a, b reflect.Value) []string {
	set := map[string]bool{}
	for _, m := range []reflect.Value{a, b} {
		for _, k := range m.MapKeys() {
			set[k.String()] = true
		}
	}
	var keys []string
	if path == "periods" {
		for _, s := range stepKeys {
			if set[s] {
				keys = append(keys, s)
				delete(set, s)
			}
		}
	}
	rest := make([]string, 0, len(set))
	for k := range set {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	return append(keys, rest...)
}

// entryKey names a list entry by its ID or Number field, else by its index.
func entryKey(v reflect.Value, i int) string {
	if f := v.FieldByName("ID"); f.IsValid() && f.String() != "" {
		return f.String()
	}
	if f := v.FieldByName("Number"); f.IsValid() && f.Int() != 0 {
		return fmt.Sprint(f.Int())
	}
	return fmt.Sprint(i)
}

func keyed(s reflect.Value) map[string]reflect.Value {
	m := map[string]reflect.Value{}
	for i := range s.Len() {
		m[entryKey(s.Index(i), i)] = s.Index(i)
	}
	return m
}

// render writes a spec value on one line: scalars as they are, lists as [a, b], structs as {key: value}
// with their non-empty fields.
func render(v reflect.Value) string {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return absent
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		var parts []string
		t := v.Type()
		for i := range t.NumField() {
			f := v.Field(i)
			if f.IsZero() {
				continue
			}
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			parts = append(parts, name+": "+render(f))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range v.Len() {
			parts[i] = render(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Map:
		keys := mapKeys("", v, v)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + render(v.MapIndex(reflect.ValueOf(k)))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case reflect.String:
		if v.String() == "" {
			return `""`
		}
		return v.String()
	}
	return fmt.Sprint(v.Interface())
}
