// Package pluginkit holds what our three plugins share: the unknown-property check, input diffs
// and the schema moduleFormat of the official providers.
package pluginkit

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// CheckSupported fails every input property this build does not implement, by name, then applies
// the default check. Silently ignoring a property would deploy something other than declared.
func CheckSupported[I any](ctx context.Context, provider, kind string, inputs property.Map) (infer.CheckResponse[I], error) {
	allowed := PulumiFieldNames(reflect.TypeFor[I]())
	var failures []p.CheckFailure
	for key := range inputs.All {
		if key == "version" || strings.HasPrefix(key, "__") || allowed[key] {
			continue
		}
		failures = append(failures, p.CheckFailure{
			Property: key,
			Reason: fmt.Sprintf("property %q of %s:%s is not supported by this build of the %s provider "+
				"(supported: %s); remove it or use the official provider", key, provider, kind, provider, strings.Join(sortedKeys(allowed), ", ")),
		})
	}
	if len(failures) > 0 {
		sort.Slice(failures, func(i, j int) bool { return failures[i].Property < failures[j].Property })
		var zero I
		return infer.CheckResponse[I]{Inputs: zero, Failures: failures}, nil
	}
	in, fails, err := infer.DefaultCheck[I](ctx, inputs)
	return infer.CheckResponse[I]{Inputs: in, Failures: fails}, err
}

// PulumiFieldNames lists the `pulumi:"name"` tags of a struct.
func PulumiFieldNames(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("pulumi")
		if name := strings.Split(tag, ",")[0]; name != "" {
			names[name] = true
		}
	}
	return names
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ReplaceDiff reports changed top-level inputs, replacing unless the property is in inPlace.
func ReplaceDiff(olds, news map[string]any, inPlace map[string]bool) infer.DiffResponse {
	detailed := map[string]p.PropertyDiff{}
	for key := range Union(olds, news) {
		if reflect.DeepEqual(olds[key], news[key]) {
			continue
		}
		kind := p.UpdateReplace
		if inPlace[key] {
			kind = p.Update
		}
		detailed[key] = p.PropertyDiff{Kind: kind, InputDiff: true}
	}
	return infer.DiffResponse{HasChanges: len(detailed) > 0, DetailedDiff: detailed}
}

// Union is the set of keys of both maps.
func Union(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// ToMap turns an args struct into {pulumi name: value}, nil pointers and empty slices dropped,
// so absent and empty compare equal.
func ToMap(v any) map[string]any {
	out := map[string]any{}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	for i := 0; i < rv.NumField(); i++ {
		name := strings.Split(rv.Type().Field(i).Tag.Get("pulumi"), ",")[0]
		f := rv.Field(i)
		if name == "" || f.IsZero() || ((f.Kind() == reflect.Slice || f.Kind() == reflect.Map) && f.Len() == 0) {
			continue
		}
		out[name] = f.Interface()
	}
	return out
}

// PropertyReplace marks an input change that replaces the resource.
func PropertyReplace() p.PropertyDiff { return p.PropertyDiff{Kind: p.UpdateReplace, InputDiff: true} }

// TypeOf is the reflect.Type of T.
func TypeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// Failure is a check failure of one property.
func Failure(property, reason string) p.CheckFailure {
	return p.CheckFailure{Property: property, Reason: reason}
}

// Serve builds the provider, gives its schema the official moduleFormat and its configuration the
// official rules (config.go), and runs it as the plugin `name` at `version` (the official
// provider's version this build stands in for). config is the config struct's type, nil for none.
func Serve(name, version string, config reflect.Type, builder *infer.ProviderBuilder) {
	provider, err := builder.WithDisplayName(name).Build()
	if err == nil {
		err = p.RunProvider(context.Background(), name, version, withConfigPolicy(name, config, withModuleFormat(provider)))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-%s: %v\n", name, err)
		os.Exit(1)
	}
}

// withModuleFormat adds the official schemas' moduleFormat, under which tokens such as
// `index/container` name the `index` module (one file per resource), as the npm packages expect.
func withModuleFormat(prov p.Provider) p.Provider {
	inner := prov.GetSchema
	prov.GetSchema = func(ctx context.Context, req p.GetSchemaRequest) (p.GetSchemaResponse, error) {
		resp, err := inner(ctx, req)
		if err != nil {
			return resp, err
		}
		var spec map[string]any
		if err := json.Unmarshal([]byte(resp.Schema), &spec); err != nil {
			return resp, err
		}
		meta, _ := spec["meta"].(map[string]any)
		if meta == nil {
			meta = map[string]any{}
		}
		meta["moduleFormat"] = "(.*)(?:/[^/]*)"
		spec["meta"] = meta
		out, err := json.Marshal(spec)
		return p.GetSchemaResponse{Schema: string(out)}, err
	}
	return prov
}

// StrOr is *v, or d when v is nil or empty.
func StrOr(v *string, d string) string {
	if v == nil || *v == "" {
		return d
	}
	return *v
}

// IntOr is *v, or d when v is nil.
func IntOr(v *int, d int) int {
	if v == nil {
		return d
	}
	return *v
}

// BoolOr is *v, or d when v is nil.
func BoolOr(v *bool, d bool) bool {
	if v == nil {
		return d
	}
	return *v
}
