// Command pulumi-resource-kafka is the Kafka resource plugin the project builds
// itself: the Terraform provider Mongey/terraform-provider-kafka bridged with
// pulumi-terraform-bridge, exposing the same tokens and property names as the
// @pulumi/kafka npm package (3.13.2). The official plugin cannot be downloaded
// on registry-only networks; why it is made this way: toolchain/README.md.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/Mongey/terraform-provider-kafka/kafka"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shim "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
)

const (
	providerName = "kafka"
	// Must equal the "pulumi.version" of the @pulumi/kafka npm package in use.
	providerVersion = "3.13.2"
)

// resources maps Terraform resource names to the @pulumi/kafka tokens.
var resources = map[string]*tfbridge.ResourceInfo{
	"kafka_topic": {Tok: "kafka:index/topic:Topic"},
	"kafka_acl": {
		Tok: "kafka:index/acl:Acl",
		// @pulumi/kafka renames these two: "resourceName"/"resourceType" would
		// collide with Pulumi's own resource properties.
		Fields: map[string]*tfbridge.SchemaInfo{
			"resource_name": {Name: "aclResourceName"},
			"resource_type": {Name: "aclResourceType"},
		},
	},
	"kafka_user_scram_credential": {Tok: "kafka:index/userScramCredential:UserScramCredential"},
	"kafka_quota":                 {Tok: "kafka:index/quota:Quota"},
}

var dataSources = map[string]*tfbridge.DataSourceInfo{
	"kafka_topic":  {Tok: "kafka:index:getTopic"},
	"kafka_topics": {Tok: "kafka:index:getTopics"},
}

func providerInfo() tfbridge.ProviderInfo {
	return tfbridge.ProviderInfo{
		P:           shimv2.NewProvider(kafka.Provider()),
		Name:        providerName,
		Version:     providerVersion,
		Resources:   resources,
		DataSources: dataSources,
	}
}

// checkCoverage fails loudly if the Terraform provider lacks a resource we map,
// or has one we do not map (a provider upgrade must be a conscious change).
func checkCoverage(info tfbridge.ProviderInfo) error {
	var problems []string
	tfResources := map[string]bool{}
	info.P.ResourcesMap().Range(func(name string, _ shim.Resource) bool {
		tfResources[name] = true
		return true
	})
	for name := range resources {
		if !tfResources[name] {
			problems = append(problems, "mapped resource missing from the Terraform provider: "+name)
		}
	}
	for name := range tfResources {
		if _, ok := resources[name]; !ok {
			problems = append(problems, "Terraform resource not mapped to a @pulumi/kafka token: "+name)
		}
	}
	tfData := map[string]bool{}
	info.P.DataSourcesMap().Range(func(name string, _ shim.Resource) bool {
		tfData[name] = true
		return true
	})
	for name := range dataSources {
		if !tfData[name] {
			problems = append(problems, "mapped data source missing from the Terraform provider: "+name)
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("kafka bridge coverage: %v", problems)
	}
	return nil
}

func main() {
	info := providerInfo()
	if err := checkCoverage(info); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The Pulumi schema is only used for SDK generation; the engine needs just
	// the name and version. Built as an object, never as a string template.
	schema, err := json.Marshal(map[string]string{"name": providerName, "version": providerVersion})
	if err != nil {
		panic(err)
	}
	tfbridge.Main(providerName, providerVersion, info, schema)
}
