// pulumi-resource-command: our own build of the `command` provider for networks that cannot
// download the official one. Same tokens and property names as @pulumi/command 1.2.1 for
// command:local:Command and command:remote:Command; any other property fails `check` by name.
package main

import (
	"context"
	"fmt"
	"github.com/clinicmaster-warehouse/providers/pluginkit"
	"os"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Version is the official provider version this build stands in for.
const Version = "1.2.1"

func main() {
	provider, err := infer.NewProviderBuilder().
		WithDisplayName("command").
		WithDescription("Run commands locally or over SSH (subset of pulumi-command "+Version+").").
		WithResources(infer.Resource(&LocalCommand{}), infer.Resource(&RemoteCommand{})).
		Build()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := p.RunProvider(context.Background(), "command", Version, pluginkit.WithModuleFormat(provider)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
