// pulumi-resource-docker: our own build of the `docker` provider for networks that cannot download
// the official one. Same tokens and property names as @pulumi/docker 5.2.0 for what this product
// uses (Container, RemoteImage, Network, Volume); any other property fails `check` by name.
// It drives the engine through the docker CLI, which reaches ssh:// hosts as the official one does.
package main

import (
	"os"
	"path/filepath"

	"github.com/clinicmaster-warehouse/providers/pluginkit"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Version is the official provider version this build stands in for.
const Version = "5.2.0"

func main() {
	// Invoked as "ssh" by the docker CLI: add the provider's sshOpts (see sshwrap.go).
	if filepath.Base(os.Args[0]) == "ssh" {
		os.Exit(runSSHWrapper(os.Args[1:]))
	}
	pluginkit.Serve("docker", Version, pluginkit.TypeOf[Config](), infer.NewProviderBuilder().
		WithDescription("Docker containers, images, networks and volumes (subset of pulumi-docker "+Version+").").
		WithConfig(infer.Config(&Config{})).
		WithResources(
			infer.Resource(&Container{}),
			infer.Resource(&RemoteImage{}),
			infer.Resource(&Network{}),
			infer.Resource(&Volume{}),
		))
}
