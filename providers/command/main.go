// pulumi-resource-command: our own build of the `command` provider for networks that cannot
// download the official one. Same tokens and property names as @pulumi/command 1.2.1 for
// command:local:Command and command:remote:Command; any other property fails `check` by name.
package main

import (
	"github.com/clinicmaster-warehouse/providers/pluginkit"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Version is the official provider version this build stands in for.
const Version = "1.2.1"

func main() {
	pluginkit.Serve("command", Version, nil, infer.NewProviderBuilder().
		WithDescription("Run commands locally or over SSH (subset of pulumi-command "+Version+").").
		WithResources(infer.Resource(&LocalCommand{}), infer.Resource(&RemoteCommand{})))
}
