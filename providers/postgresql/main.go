// pulumi-resource-postgresql: our own build of the `postgresql` provider for networks that cannot
// download the official one. Same tokens and property names as @pulumi/postgresql 3.18.1 for what
// this product uses (Database, Role, Schema, Grant, DefaultPrivileges); any other property fails
// `check` by name.
package main

import (
	"github.com/clinicmaster-warehouse/providers/pluginkit"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Version is the official provider version this build stands in for.
const Version = "3.18.1"

func main() {
	pluginkit.Serve("postgresql", Version, pluginkit.TypeOf[Config](), infer.NewProviderBuilder().
		WithDescription("PostgreSQL databases, roles, schemas and grants (subset of pulumi-postgresql "+Version+").").
		WithConfig(infer.Config(&Config{})).
		WithResources(
			infer.Resource(&Database{}),
			infer.Resource(&Role{}),
			infer.Resource(&Schema{}),
			infer.Resource(&Grant{}),
			infer.Resource(&DefaultPrivileges{}),
		))
}
