package dynamostore

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The golden items are kept in DynamoDB's own JSON form ({"S": "..."}, {"N": "..."}, {"M": {...}},
// ...), the form the console and the CLI show, so a reader sees the item exactly as stored.

// itemJSON renders an item in DynamoDB JSON, its attributes sorted by name, indented.
func itemJSON(item map[string]types.AttributeValue) ([]byte, error) {
	m, err := avMapJSON(item)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render item: %w", err)
	}
	return append(b, '\n'), nil
}

func avMapJSON(item map[string]types.AttributeValue) (map[string]any, error) {
	out := make(map[string]any, len(item))
	for k, v := range item {
		j, err := avJSON(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", k, err)
		}
		out[k] = j
	}
	return out, nil
}

func avJSON(av types.AttributeValue) (map[string]any, error) {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}, nil
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}, nil
	case *types.AttributeValueMemberB:
		return map[string]any{"B": v.Value}, nil
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}, nil
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}, nil
	case *types.AttributeValueMemberSS:
		ss := append([]string(nil), v.Value...)
		sort.Strings(ss)
		return map[string]any{"SS": ss}, nil
	case *types.AttributeValueMemberNS:
		ns := append([]string(nil), v.Value...)
		sort.Strings(ns)
		return map[string]any{"NS": ns}, nil
	case *types.AttributeValueMemberBS:
		return map[string]any{"BS": v.Value}, nil
	case *types.AttributeValueMemberM:
		m, err := avMapJSON(v.Value)
		if err != nil {
			return nil, err
		}
		return map[string]any{"M": m}, nil
	case *types.AttributeValueMemberL:
		l := make([]any, 0, len(v.Value))
		for i, e := range v.Value {
			j, err := avJSON(e)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			l = append(l, j)
		}
		return map[string]any{"L": l}, nil
	}
	return nil, fmt.Errorf("attribute value of type %T", av)
}

// parseItem reads an item in DynamoDB JSON.
func parseItem(b []byte) (map[string]types.AttributeValue, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("parse item: %w", err)
	}
	return parseAVMap(raw)
}

func parseAVMap(raw map[string]json.RawMessage) (map[string]types.AttributeValue, error) {
	out := make(map[string]types.AttributeValue, len(raw))
	for k, r := range raw {
		av, err := parseAV(r)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", k, err)
		}
		out[k] = av
	}
	return out, nil
}

func parseAV(r json.RawMessage) (types.AttributeValue, error) {
	var one map[string]json.RawMessage
	if err := json.Unmarshal(r, &one); err != nil {
		return nil, fmt.Errorf("parse attribute value: %w", err)
	}
	if len(one) != 1 {
		return nil, fmt.Errorf("attribute value with %d types", len(one))
	}
	for typ, v := range one {
		var err error
		switch typ {
		case "S":
			var s string
			err = json.Unmarshal(v, &s)
			return &types.AttributeValueMemberS{Value: s}, err
		case "N":
			var s string
			err = json.Unmarshal(v, &s)
			return &types.AttributeValueMemberN{Value: s}, err
		case "B":
			var b []byte
			err = json.Unmarshal(v, &b)
			return &types.AttributeValueMemberB{Value: b}, err
		case "BOOL":
			var b bool
			err = json.Unmarshal(v, &b)
			return &types.AttributeValueMemberBOOL{Value: b}, err
		case "NULL":
			var b bool
			err = json.Unmarshal(v, &b)
			return &types.AttributeValueMemberNULL{Value: b}, err
		case "SS":
			var ss []string
			err = json.Unmarshal(v, &ss)
			return &types.AttributeValueMemberSS{Value: ss}, err
		case "NS":
			var ns []string
			err = json.Unmarshal(v, &ns)
			return &types.AttributeValueMemberNS{Value: ns}, err
		case "BS":
			var bs [][]byte
			err = json.Unmarshal(v, &bs)
			return &types.AttributeValueMemberBS{Value: bs}, err
		case "M":
			var m map[string]json.RawMessage
			if err := json.Unmarshal(v, &m); err != nil {
				return nil, fmt.Errorf("parse map: %w", err)
			}
			mm, err := parseAVMap(m)
			return &types.AttributeValueMemberM{Value: mm}, err
		case "L":
			var l []json.RawMessage
			if err := json.Unmarshal(v, &l); err != nil {
				return nil, fmt.Errorf("parse list: %w", err)
			}
			out := &types.AttributeValueMemberL{Value: make([]types.AttributeValue, 0, len(l))}
			for i, e := range l {
				av, err := parseAV(e)
				if err != nil {
					return nil, fmt.Errorf("element %d: %w", i, err)
				}
				out.Value = append(out.Value, av)
			}
			return out, nil
		}
		return nil, fmt.Errorf("attribute value type %q", typ)
	}
	return nil, fmt.Errorf("empty attribute value")
}
