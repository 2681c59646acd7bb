package pluginkit

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// InPlaceConfigDiff turns every replacing kind of a provider configuration diff into its in-place
// kind. The official providers update a provider's settings in place: the engine then configures
// a new instance for the dependents, which keep their resources. Replacing the provider (infer's
// default, pulumi-go-provider issue 409) would replace every resource it manages.
func InPlaceConfigDiff(d p.DiffResponse) p.DiffResponse {
	out := p.DiffResponse{HasChanges: d.HasChanges, DetailedDiff: map[string]p.PropertyDiff{}}
	for k, v := range d.DetailedDiff {
		switch v.Kind {
		case p.UpdateReplace:
			v.Kind = p.Update
		case p.AddReplace:
			v.Kind = p.Add
		case p.DeleteReplace:
			v.Kind = p.Delete
		}
		out.DetailedDiff[k] = v
	}
	return out
}

// UnknownConfigKeys fails every provider configuration key outside the config struct, by name, as
// resource inputs are: a setting silently dropped would connect somewhere other than declared.
func UnknownConfigKeys(provider string, config reflect.Type, inputs property.Map) []p.CheckFailure {
	allowed := map[string]bool{}
	if config != nil {
		allowed = PulumiFieldNames(config)
	}
	var failures []p.CheckFailure
	for key := range inputs.All {
		if allowed[key] || internalKey(key) {
			continue
		}
		failures = append(failures, p.CheckFailure{
			Property: key,
			Reason: fmt.Sprintf("provider setting %q is not supported by this build of the %s provider "+
				"(supported: %s); remove it or use the official provider", key, provider, strings.Join(sortedKeys(allowed), ", ")),
		})
	}
	sort.Slice(failures, func(i, j int) bool { return failures[i].Property < failures[j].Property })
	return failures
}

// internalKey: what the engine and SDKs add to every provider's inputs.
func internalKey(key string) bool {
	return key == "version" || key == "pluginDownloadURL" || strings.HasPrefix(key, "__")
}

// withConfigPolicy applies both rules to a built provider (one without configuration has neither).
func withConfigPolicy(name string, config reflect.Type, prov p.Provider) p.Provider {
	innerCheck, innerDiff := prov.CheckConfig, prov.DiffConfig
	if config == nil || innerCheck == nil || innerDiff == nil {
		return prov
	}
	prov.CheckConfig = func(ctx context.Context, req p.CheckRequest) (p.CheckResponse, error) {
		if failures := UnknownConfigKeys(name, config, req.Inputs); len(failures) > 0 {
			return p.CheckResponse{Inputs: req.Inputs, Failures: failures}, nil
		}
		return innerCheck(ctx, req)
	}
	prov.DiffConfig = func(ctx context.Context, req p.DiffRequest) (p.DiffResponse, error) {
		d, err := innerDiff(ctx, req)
		if err != nil {
			return d, err
		}
		return InPlaceConfigDiff(d), nil
	}
	return prov
}
