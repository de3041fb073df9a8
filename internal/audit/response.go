package audit

import (
	"reflect"
	"slices"
	"strings"
)

// responseElements is an IAM or STS result (the struct the Query protocol
// encoded as XML) as CloudTrail writes it: element names with their first
// letter lower-cased, lists (A>member) as arrays under A, dates in
// CloudTrail's response format, and no secret (Secret). The walk follows a
// per-type plan built once.
func (c *Converter) responseElements(result any) map[string]any {
	v := reflect.ValueOf(result)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	m, _ := c.structValue(v, 0).(map[string]any)
	if len(m) == 0 {
		return nil
	}
	return m
}

// maxResponseDepth bounds the walk (results nest a few levels).
const maxResponseDepth = 8

// typePlan is how a result struct type is written: its fields in order.
type typePlan struct {
	fields []fieldPlan
}

type fieldPlan struct {
	index     []int  // reflect.Value.FieldByIndex: through embedded structs
	depth     int    // how many embedded structs deep
	name      string // CloudTrail's name
	omitEmpty bool
	date      bool // a date element (…Date, Expiration)
}

func (c *Converter) plan(t reflect.Type) *typePlan {
	if p, ok := c.plans.Load(t); ok {
		return p.(*typePlan)
	}
	all := planFields(nil, t, nil, 0)
	p := &typePlan{}
	for _, f := range all {
		// One field per name: the shallowest (encoding/xml's rule for
		// promoted fields), else the first (A>B, A>C: an object has one A).
		if slices.ContainsFunc(all, func(x fieldPlan) bool { return x.name == f.name && x.depth < f.depth }) ||
			slices.ContainsFunc(p.fields, func(x fieldPlan) bool { return x.name == f.name }) {
			continue
		}
		p.fields = append(p.fields, f)
	}
	c.plans.Store(t, p)
	return p
}

// maxEmbedDepth bounds how deep embedded structs are followed.
const maxEmbedDepth = 4

// planFields appends the fields of struct type t written as XML elements,
// those of embedded structs as their own (encoding/xml promotes them),
// without secrets.
func planFields(dst []fieldPlan, t reflect.Type, index []int, depth int) []fieldPlan {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("xml")
		at := append(slices.Clip(index), i)
		if ft := f.Type; f.Anonymous && tag == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if depth < maxEmbedDepth {
					dst = planFields(dst, ft, at, depth+1)
				}
				continue
			}
		}
		if !f.IsExported() || f.Name == "XMLName" {
			continue
		}
		if tag == "-" || strings.Contains(tag, ",attr") || strings.Contains(tag, ",chardata") || strings.Contains(tag, ",innerxml") {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		// A secret at any step of the path (Credentials>SecretAccessKey)
		// is a secret.
		if Secret(name) {
			continue
		}
		// Tags>member: the list element is Tags.
		name, _, _ = strings.Cut(name, ">")
		dst = append(dst, fieldPlan{index: at, depth: depth, name: lowerFirst(name), omitEmpty: strings.Contains(opts, "omitempty"),
			date: strings.HasSuffix(name, "Date") || name == "Expiration"})
	}
	return dst
}

// structValue writes a struct as an object.
func (c *Converter) structValue(v reflect.Value, depth int) any {
	if depth > maxResponseDepth {
		return nil
	}
	p := c.plan(v.Type())
	m := make(map[string]any, len(p.fields))
	for _, f := range p.fields {
		fv, err := v.FieldByIndexErr(f.index)
		if err != nil {
			continue // under a nil embedded pointer
		}
		if f.omitEmpty && fv.IsZero() {
			continue
		}
		x := c.value(fv, depth+1)
		if x == nil {
			continue
		}
		if s, ok := x.(string); ok && f.date {
			x = responseDate(s)
		}
		m[f.name] = x
	}
	return m
}

// value writes one element.
func (c *Converter) value(v reflect.Value, depth int) any {
	if depth > maxResponseDepth {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return c.value(v.Elem(), depth)
	case reflect.Struct:
		return c.structValue(v, depth)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // raw bytes are never written
		}
		out := make([]any, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			if x := c.value(v.Index(i), depth+1); x != nil {
				out = append(out, x)
			}
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(v.Uint())
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return nil
}
