package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/clinicmaster-warehouse/providers/pluginkit"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Container is docker:index/container:Container.
type Container struct{}

type ContainerPort struct {
	Internal int     `pulumi:"internal"`
	External *int    `pulumi:"external,optional"`
	Ip       *string `pulumi:"ip,optional"`
	Protocol *string `pulumi:"protocol,optional"`
}

type ContainerVolume struct {
	ContainerPath *string `pulumi:"containerPath,optional"`
	HostPath      *string `pulumi:"hostPath,optional"`
	VolumeName    *string `pulumi:"volumeName,optional"`
	ReadOnly      *bool   `pulumi:"readOnly,optional"`
}

type ContainerMount struct {
	Target   string  `pulumi:"target"`
	Type     string  `pulumi:"type"`
	Source   *string `pulumi:"source,optional"`
	ReadOnly *bool   `pulumi:"readOnly,optional"`
}

type ContainerUpload struct {
	File          string  `pulumi:"file"`
	Content       *string `pulumi:"content,optional"`
	ContentBase64 *string `pulumi:"contentBase64,optional"`
	Executable    *bool   `pulumi:"executable,optional"`
}

type ContainerLabel struct {
	Label string `pulumi:"label"`
	Value string `pulumi:"value"`
}

type ContainerHealthcheck struct {
	Tests       []string `pulumi:"tests"`
	Interval    *string  `pulumi:"interval,optional"`
	Timeout     *string  `pulumi:"timeout,optional"`
	Retries     *int     `pulumi:"retries,optional"`
	StartPeriod *string  `pulumi:"startPeriod,optional"`
}

// ContainerArgs: the official input names this build implements.
type ContainerArgs struct {
	Name                *string               `pulumi:"name,optional"`
	Image               string                `pulumi:"image"`
	Envs                []string              `pulumi:"envs,optional"`
	Command             []string              `pulumi:"command,optional"`
	Entrypoints         []string              `pulumi:"entrypoints,optional"`
	User                *string               `pulumi:"user,optional"`
	Hostname            *string               `pulumi:"hostname,optional"`
	WorkingDir          *string               `pulumi:"workingDir,optional"`
	Restart             *string               `pulumi:"restart,optional"`
	Memory              *int                  `pulumi:"memory,optional"`
	NetworkMode         *string               `pulumi:"networkMode,optional"`
	Ports               []ContainerPort       `pulumi:"ports,optional"`
	Volumes             []ContainerVolume     `pulumi:"volumes,optional"`
	Mounts              []ContainerMount      `pulumi:"mounts,optional"`
	Uploads             []ContainerUpload     `pulumi:"uploads,optional"`
	Labels              []ContainerLabel      `pulumi:"labels,optional"`
	Healthcheck         *ContainerHealthcheck `pulumi:"healthcheck,optional"`
	LogDriver           *string               `pulumi:"logDriver,optional"`
	LogOpts             map[string]string     `pulumi:"logOpts,optional"`
	DestroyGraceSeconds *int                  `pulumi:"destroyGraceSeconds,optional"`
	MustRun             *bool                 `pulumi:"mustRun,optional"`
}

type ContainerState struct {
	ContainerArgs
	ContainerName string `pulumi:"containerName"`
	Running       bool   `pulumi:"running"`
}

func (c *Container) Annotate(a infer.Annotator) { a.SetToken("index/container", "Container") }

// Changed in place by `docker update` (the official provider does the same); the rest replaces.
var containerInPlace = map[string]bool{"restart": true, "memory": true, "destroyGraceSeconds": true, "mustRun": true}

func (*Container) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[ContainerArgs], error) {
	return pluginkit.CheckSupported[ContainerArgs](ctx, "docker", "index/container:Container", req.NewInputs)
}

func (*Container) Diff(ctx context.Context, req infer.DiffRequest[ContainerArgs, ContainerState]) (infer.DiffResponse, error) {
	return containerDiff(req.State, req.Inputs), nil
}

func containerDiff(state ContainerState, inputs ContainerArgs) infer.DiffResponse {
	d := pluginkit.ReplaceDiff(pluginkit.ToMap(state.ContainerArgs), pluginkit.ToMap(inputs), containerInPlace)
	// A container that should run but does not (found by refresh) is brought back by replacing it.
	if !state.Running && pluginkit.BoolOr(inputs.MustRun, true) {
		d.HasChanges = true
		d.DetailedDiff["mustRun"] = pluginkit.PropertyReplace()
	}
	// A fixed container name cannot exist twice: the old container must go before its successor.
	for _, pd := range d.DetailedDiff {
		if pd.Kind == p.UpdateReplace && inputs.Name != nil {
			d.DeleteBeforeReplace = true
		}
	}
	return d
}

func (*Container) Create(ctx context.Context, req infer.CreateRequest[ContainerArgs]) (infer.CreateResponse[ContainerState], error) {
	in := req.Inputs
	name := req.Name
	if in.Name != nil && *in.Name != "" {
		name = *in.Name
	}
	state := ContainerState{ContainerArgs: in, ContainerName: name, Running: true}
	if req.DryRun {
		return infer.CreateResponse[ContainerState]{Output: state}, nil
	}
	args := []string{"create", "--name", name}
	if len(in.Envs) > 0 {
		// The environment may hold secrets: it reaches the CLI in a private file, never in argv.
		file, err := privateEnvFile(in.Envs)
		if err != nil {
			return infer.CreateResponse[ContainerState]{}, err
		}
		defer os.Remove(file)
		args = append(args, "--env-file", file)
	}
	args = append(args, createFlags(in)...)
	args = append(args, in.Image)
	if len(in.Entrypoints) > 1 {
		args = append(args, in.Entrypoints[1:]...)
	}
	args = append(args, in.Command...)
	out, err := docker(ctx, nil, args...)
	if err != nil {
		return infer.CreateResponse[ContainerState]{}, err
	}
	id := strings.TrimSpace(string(out))
	if err := upload(ctx, id, in.Uploads); err != nil {
		_, _ = docker(ctx, nil, "rm", "-f", id)
		return infer.CreateResponse[ContainerState]{}, err
	}
	if _, err := docker(ctx, nil, "start", id); err != nil {
		_, _ = docker(ctx, nil, "rm", "-f", id)
		return infer.CreateResponse[ContainerState]{}, err
	}
	return infer.CreateResponse[ContainerState]{ID: id, Output: state}, nil
}

func (*Container) Update(ctx context.Context, req infer.UpdateRequest[ContainerArgs, ContainerState]) (infer.UpdateResponse[ContainerState], error) {
	state := req.State
	state.ContainerArgs = req.Inputs
	if req.DryRun {
		return infer.UpdateResponse[ContainerState]{Output: state}, nil
	}
	args := []string{"update", "--restart", pluginkit.StrOr(req.Inputs.Restart, "no")}
	if req.Inputs.Memory != nil {
		mem := strconv.Itoa(*req.Inputs.Memory) + "m"
		args = append(args, "--memory", mem, "--memory-swap", mem)
	}
	if _, err := docker(ctx, nil, append(args, req.ID)...); err != nil {
		return infer.UpdateResponse[ContainerState]{}, err
	}
	return infer.UpdateResponse[ContainerState]{Output: state}, nil
}

type containerInspect struct {
	Name       string
	State      struct{ Running bool }
	HostConfig struct {
		RestartPolicy struct{ Name string }
		Memory        int64
	}
}

func (*Container) Read(ctx context.Context, req infer.ReadRequest[ContainerArgs, ContainerState]) (infer.ReadResponse[ContainerArgs, ContainerState], error) {
	var got containerInspect
	found, err := inspect(ctx, "container", req.ID, &got)
	if err != nil || !found {
		return infer.ReadResponse[ContainerArgs, ContainerState]{}, err // gone: ID "" drops it from state
	}
	state, inputs := req.State, req.Inputs
	state.Running = got.State.Running
	// Out-of-band changes of the in-place properties show up as a diff on the next preview.
	if req.Inputs.Restart != nil || got.HostConfig.RestartPolicy.Name != "no" {
		r := got.HostConfig.RestartPolicy.Name
		inputs.Restart, state.Restart = &r, &r
	}
	if req.Inputs.Memory != nil || got.HostConfig.Memory != 0 {
		m := int(got.HostConfig.Memory / (1024 * 1024))
		inputs.Memory, state.Memory = &m, &m
	}
	return infer.ReadResponse[ContainerArgs, ContainerState]{ID: req.ID, Inputs: inputs, State: state}, nil
}

func (*Container) Delete(ctx context.Context, req infer.DeleteRequest[ContainerState]) (infer.DeleteResponse, error) {
	grace := 0
	if req.State.DestroyGraceSeconds != nil {
		grace = *req.State.DestroyGraceSeconds
	}
	if _, err := docker(ctx, nil, "stop", "-t", strconv.Itoa(grace), req.ID); err != nil && !notFound(err) {
		return infer.DeleteResponse{}, err
	}
	if _, err := docker(ctx, nil, "rm", "-f", "-v", req.ID); err != nil && !notFound(err) {
		return infer.DeleteResponse{}, err
	}
	return infer.DeleteResponse{}, nil
}

// createFlags maps the inputs to `docker create` flags (each value one argv element: no quoting).
func createFlags(in ContainerArgs) []string {
	var f []string
	add := func(flag string, v *string) {
		if v != nil && *v != "" {
			f = append(f, flag, *v)
		}
	}
	if len(in.Entrypoints) > 0 {
		// docker create takes one entrypoint binary; the rest go before the command arguments.
		f = append(f, "--entrypoint", in.Entrypoints[0])
	}
	add("--user", in.User)
	add("--hostname", in.Hostname)
	add("--workdir", in.WorkingDir)
	f = append(f, "--restart", pluginkit.StrOr(in.Restart, "no"))
	if in.Memory != nil {
		mem := strconv.Itoa(*in.Memory) + "m"
		f = append(f, "--memory", mem, "--memory-swap", mem)
	}
	add("--network", in.NetworkMode)
	for _, p := range in.Ports {
		spec := strconv.Itoa(p.Internal) + "/" + pluginkit.StrOr(p.Protocol, "tcp")
		external := p.Internal
		if p.External != nil {
			external = *p.External
		}
		f = append(f, "--publish", pluginkit.StrOr(p.Ip, "0.0.0.0")+":"+strconv.Itoa(external)+":"+spec)
	}
	for _, v := range in.Volumes {
		src := pluginkit.StrOr(v.HostPath, pluginkit.StrOr(v.VolumeName, ""))
		spec := src + ":" + pluginkit.StrOr(v.ContainerPath, "")
		if src == "" {
			spec = pluginkit.StrOr(v.ContainerPath, "")
		}
		if pluginkit.BoolOr(v.ReadOnly, false) {
			spec += ":ro"
		}
		f = append(f, "--volume", spec)
	}
	for _, m := range in.Mounts {
		spec := "type=" + m.Type + ",target=" + m.Target
		if m.Source != nil {
			spec += ",source=" + *m.Source
		}
		if pluginkit.BoolOr(m.ReadOnly, false) {
			spec += ",readonly"
		}
		f = append(f, "--mount", spec)
	}
	labels := append([]ContainerLabel(nil), in.Labels...)
	sort.Slice(labels, func(i, j int) bool { return labels[i].Label < labels[j].Label })
	for _, l := range labels {
		f = append(f, "--label", l.Label+"="+l.Value)
	}
	if h := in.Healthcheck; h != nil && len(h.Tests) > 0 {
		switch h.Tests[0] {
		case "NONE":
			f = append(f, "--no-healthcheck")
		case "CMD-SHELL":
			f = append(f, "--health-cmd", strings.Join(h.Tests[1:], " "))
		default: // CMD: the official form is an exec array; the CLI takes a shell string.
			f = append(f, "--health-cmd", strings.Join(h.Tests[1:], " "))
		}
		add("--health-interval", h.Interval)
		add("--health-timeout", h.Timeout)
		add("--health-start-period", h.StartPeriod)
		if h.Retries != nil {
			f = append(f, "--health-retries", strconv.Itoa(*h.Retries))
		}
	}
	add("--log-driver", in.LogDriver)
	keys := make([]string, 0, len(in.LogOpts))
	for k := range in.LogOpts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f = append(f, "--log-opt", k+"="+in.LogOpts[k])
	}
	return f
}

// envFileContent is the --env-file text of envs: one NAME=value a line, taken literally by the
// CLI. A value with a line break cannot be written so and is refused by name.
func envFileContent(envs []string) ([]byte, error) {
	var b strings.Builder
	for _, e := range envs {
		name, _, ok := strings.Cut(e, "=")
		if !ok || name == "" || strings.TrimSpace(name) != name {
			return nil, fmt.Errorf("envs: %q is not NAME=value", name)
		}
		if strings.ContainsAny(e, "\r\n") {
			return nil, fmt.Errorf("envs: the value of %s holds a line break, which this build cannot pass to the docker CLI", name)
		}
		b.WriteString(e + "\n")
	}
	return []byte(b.String()), nil
}

// privateEnvFile writes envs to a mode-600 file in the provider's private folder.
func privateEnvFile(envs []string) (string, error) {
	content, err := envFileContent(envs)
	if err != nil {
		return "", err
	}
	dir, err := privateCacheDir()
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "env-*")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(content); err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// upload places files into the created container before it starts, as one tar stream.
func upload(ctx context.Context, id string, files []ContainerUpload) error {
	if len(files) == 0 {
		return nil
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, u := range files {
		var data []byte
		switch {
		case u.Content != nil:
			data = []byte(*u.Content)
		case u.ContentBase64 != nil:
			d, err := base64.StdEncoding.DecodeString(*u.ContentBase64)
			if err != nil {
				return fmt.Errorf("uploads[%s].contentBase64: %w", u.File, err)
			}
			data = d
		default:
			return fmt.Errorf("uploads[%s]: set content or contentBase64", u.File)
		}
		mode := int64(0o644)
		if pluginkit.BoolOr(u.Executable, false) {
			mode = 0o755
		}
		hdr := &tar.Header{Name: strings.TrimPrefix(u.File, "/"), Mode: mode, Size: int64(len(data)), ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	_, err := docker(ctx, buf.Bytes(), "cp", "-", id+":/")
	return err
}
