package pluginkit

import (
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

type testConfig struct {
	Host     *string  `pulumi:"host,optional"`
	Password *string  `pulumi:"password,optional" provider:"secret"`
	SSHOpts  []string `pulumi:"sshOpts,optional"`
}

func TestInPlaceConfigDiffNeverReplaces(t *testing.T) {
	in := p.DiffResponse{HasChanges: true, DeleteBeforeReplace: true, DetailedDiff: map[string]p.PropertyDiff{
		"password": {Kind: p.UpdateReplace, InputDiff: true},
		"sslmode":  {Kind: p.AddReplace, InputDiff: true},
		"sshOpts":  {Kind: p.DeleteReplace, InputDiff: true},
		"host":     {Kind: p.Update, InputDiff: true},
	}}
	out := InPlaceConfigDiff(in)
	want := map[string]p.DiffKind{"password": p.Update, "sslmode": p.Add, "sshOpts": p.Delete, "host": p.Update}
	if !out.HasChanges || out.DeleteBeforeReplace {
		t.Fatalf("changes must stay, delete-before-replace must go: %+v", out)
	}
	for k, kind := range want {
		if out.DetailedDiff[k].Kind != kind || !out.DetailedDiff[k].InputDiff {
			t.Errorf("%s: got %+v, want kind %s", k, out.DetailedDiff[k], kind)
		}
	}
}

func TestUnknownConfigKeys(t *testing.T) {
	inputs := property.NewMap(map[string]property.Value{
		"host":                         property.New("ssh://x"),
		"registryAuth":                 property.New("x"),
		"sslrootcert":                  property.New("/ca.pem"),
		"version":                      property.New("5.2.0"),
		"pluginDownloadURL":            property.New("x"),
		"__pulumi-go-provider-version": property.New("1.5.0"),
	})
	failures := UnknownConfigKeys("docker", TypeOf[testConfig](), inputs)
	if len(failures) != 2 || failures[0].Property != "registryAuth" || failures[1].Property != "sslrootcert" {
		t.Fatalf("want registryAuth and sslrootcert refused, in order: %+v", failures)
	}
	if got := failures[0].Reason; got != `provider setting "registryAuth" is not supported by this build of the docker provider (supported: host, password, sshOpts); remove it or use the official provider` {
		t.Errorf("reason: %s", got)
	}
	if f := UnknownConfigKeys("docker", TypeOf[testConfig](), property.NewMap(map[string]property.Value{"host": property.New("x")})); len(f) != 0 {
		t.Errorf("known keys refused: %+v", f)
	}
}

func TestReplaceDiff(t *testing.T) {
	d := ReplaceDiff(map[string]any{"a": 1, "b": "x", "c": true}, map[string]any{"a": 2, "b": "x", "d": 1}, map[string]bool{"a": true})
	if !d.HasChanges || len(d.DetailedDiff) != 3 {
		t.Fatalf("%+v", d)
	}
	if d.DetailedDiff["a"].Kind != p.Update || d.DetailedDiff["c"].Kind != p.UpdateReplace || d.DetailedDiff["d"].Kind != p.UpdateReplace {
		t.Errorf("%+v", d.DetailedDiff)
	}
	if d := ReplaceDiff(map[string]any{"a": []string{"x"}}, map[string]any{"a": []string{"x"}}, nil); d.HasChanges {
		t.Errorf("equal inputs diff: %+v", d)
	}
}

func TestToMapDropsUnsetAndEmpty(t *testing.T) {
	host := "h"
	m := ToMap(testConfig{Host: &host, SSHOpts: []string{}})
	if len(m) != 1 || m["host"] != &host {
		t.Errorf("%v", m)
	}
}
