package dynamostore

// The storage schema. Every item the store writes is a type of this package (the items_*.go
// files, one per family, documented in docs/data-model.md), never a domain struct: each stored
// attribute has its name in a dynamodbav tag, and the to/from functions beside each type map it
// to and from the domain. A domain field renamed or added changes nothing in the table until its
// mapping here is changed; the golden items (testdata/golden) pin the stored shape.
//
// The names are those the items had when the domain structs were stored directly: the nested
// maps name their attributes as the Go fields did (ID, OrganizationBIN, ...), the item's own
// top-level attributes are lowerCamelCase (type, version, caseId, ...). No tag has omitempty
// unless the attribute was already left out when empty: an absent pointer, slice or map is
// stored as NULL, an empty one as an empty list or map, and times as RFC 3339 strings with
// nanoseconds, as the SDK's encoder writes them.

// mapSlice maps each element of in with f; a nil slice stays nil and an empty one empty, as the
// table keeps them apart (NULL, an empty list).
func mapSlice[A, B any](in []A, f func(A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, a := range in {
		out[i] = f(a)
	}
	return out
}

// mapValues maps each value of in with f; a nil map stays nil and an empty one empty.
func mapValues[A, B any](in map[string]A, f func(A) B) map[string]B {
	if in == nil {
		return nil
	}
	out := make(map[string]B, len(in))
	for k, a := range in {
		out[k] = f(a)
	}
	return out
}

// mapPtr maps what in points to with f; nil stays nil.
func mapPtr[A, B any](in *A, f func(A) B) *B {
	if in == nil {
		return nil
	}
	b := f(*in)
	return &b
}
