package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/clinicmaster-warehouse/providers/pluginkit"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// RemoteImage is docker:index/remoteImage:RemoteImage: an image present on the host, pulled when
// missing. An image already on the host (e.g. loaded over SSH) is used as it is.
type RemoteImage struct{}

type RemoteImageArgs struct {
	Name        string `pulumi:"name"`
	KeepLocally *bool  `pulumi:"keepLocally,optional"`
}

type RemoteImageState struct {
	RemoteImageArgs
	ImageId    string `pulumi:"imageId"`
	RepoDigest string `pulumi:"repoDigest"`
}

func (r *RemoteImage) Annotate(a infer.Annotator) { a.SetToken("index/remoteImage", "RemoteImage") }

func (*RemoteImage) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[RemoteImageArgs], error) {
	return pluginkit.CheckSupported[RemoteImageArgs](ctx, "docker", "index/remoteImage:RemoteImage", req.NewInputs)
}

func (*RemoteImage) Diff(ctx context.Context, req infer.DiffRequest[RemoteImageArgs, RemoteImageState]) (infer.DiffResponse, error) {
	d := pluginkit.ReplaceDiff(pluginkit.ToMap(req.State.RemoteImageArgs), pluginkit.ToMap(req.Inputs), map[string]bool{"keepLocally": true})
	if req.State.ImageId == "" { // deleted out of band: bring it back
		d.HasChanges = true
		d.DetailedDiff["name"] = pluginkit.PropertyReplace()
	}
	return d, nil
}

type imageInspect struct {
	Id          string
	RepoDigests []string
}

func ensureImage(ctx context.Context, name string) (RemoteImageState, error) {
	var got imageInspect
	found, err := inspect(ctx, "image", name, &got)
	if err == nil && !found {
		if _, perr := docker(ctx, nil, "pull", name); perr != nil {
			return RemoteImageState{}, fmt.Errorf("image %s is not on the host and could not be pulled: %w", name, perr)
		}
		found, err = inspect(ctx, "image", name, &got)
	}
	if err != nil || !found {
		return RemoteImageState{}, fmt.Errorf("image %s: %v", name, err)
	}
	digest := ""
	if len(got.RepoDigests) > 0 {
		digest = got.RepoDigests[0]
	}
	return RemoteImageState{ImageId: got.Id, RepoDigest: digest}, nil
}

func (*RemoteImage) Create(ctx context.Context, req infer.CreateRequest[RemoteImageArgs]) (infer.CreateResponse[RemoteImageState], error) {
	if req.DryRun {
		return infer.CreateResponse[RemoteImageState]{Output: RemoteImageState{RemoteImageArgs: req.Inputs}}, nil
	}
	st, err := ensureImage(ctx, req.Inputs.Name)
	st.RemoteImageArgs = req.Inputs
	return infer.CreateResponse[RemoteImageState]{ID: st.ImageId + req.Inputs.Name, Output: st}, err
}

func (*RemoteImage) Update(ctx context.Context, req infer.UpdateRequest[RemoteImageArgs, RemoteImageState]) (infer.UpdateResponse[RemoteImageState], error) {
	st := req.State
	st.RemoteImageArgs = req.Inputs
	return infer.UpdateResponse[RemoteImageState]{Output: st}, nil
}

func (*RemoteImage) Read(ctx context.Context, req infer.ReadRequest[RemoteImageArgs, RemoteImageState]) (infer.ReadResponse[RemoteImageArgs, RemoteImageState], error) {
	var got imageInspect
	found, err := inspect(ctx, "image", req.State.Name, &got)
	if err != nil {
		return infer.ReadResponse[RemoteImageArgs, RemoteImageState]{}, err
	}
	st := req.State
	st.ImageId = ""
	if found {
		st.ImageId = got.Id
	}
	return infer.ReadResponse[RemoteImageArgs, RemoteImageState]{ID: req.ID, Inputs: req.Inputs, State: st}, nil
}

func (*RemoteImage) Delete(ctx context.Context, req infer.DeleteRequest[RemoteImageState]) (infer.DeleteResponse, error) {
	if req.State.KeepLocally != nil && *req.State.KeepLocally {
		return infer.DeleteResponse{}, nil
	}
	if _, err := docker(ctx, nil, "image", "rm", req.State.Name); err != nil && !notFound(err) {
		return infer.DeleteResponse{}, err
	}
	return infer.DeleteResponse{}, nil
}

// Network is docker:index/network:Network.
type Network struct{}

type NetworkArgs struct {
	Name     *string           `pulumi:"name,optional"`
	Driver   *string           `pulumi:"driver,optional"`
	Internal *bool             `pulumi:"internal,optional"`
	Options  map[string]string `pulumi:"options,optional"`
	Labels   []ContainerLabel  `pulumi:"labels,optional"`
}

type NetworkState struct {
	NetworkArgs
	NetworkName string `pulumi:"networkName"`
}

func (n *Network) Annotate(a infer.Annotator) { a.SetToken("index/network", "Network") }

func (*Network) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[NetworkArgs], error) {
	return pluginkit.CheckSupported[NetworkArgs](ctx, "docker", "index/network:Network", req.NewInputs)
}

func (*Network) Create(ctx context.Context, req infer.CreateRequest[NetworkArgs]) (infer.CreateResponse[NetworkState], error) {
	name := pluginkit.StrOr(req.Inputs.Name, req.Name)
	st := NetworkState{NetworkArgs: req.Inputs, NetworkName: name}
	if req.DryRun {
		return infer.CreateResponse[NetworkState]{Output: st}, nil
	}
	args := []string{"network", "create", "--driver", pluginkit.StrOr(req.Inputs.Driver, "bridge")}
	if pluginkit.BoolOr(req.Inputs.Internal, false) {
		args = append(args, "--internal")
	}
	args = append(args, keyValueFlags("--opt", req.Inputs.Options)...)
	args = append(args, labelFlags(req.Inputs.Labels)...)
	out, err := docker(ctx, nil, append(args, name)...)
	return infer.CreateResponse[NetworkState]{ID: strings.TrimSpace(string(out)), Output: st}, err
}

func (*Network) Read(ctx context.Context, req infer.ReadRequest[NetworkArgs, NetworkState]) (infer.ReadResponse[NetworkArgs, NetworkState], error) {
	var got struct{ Name string }
	found, err := inspect(ctx, "network", req.ID, &got)
	if err != nil || !found {
		return infer.ReadResponse[NetworkArgs, NetworkState]{}, err
	}
	return infer.ReadResponse[NetworkArgs, NetworkState]{ID: req.ID, Inputs: req.Inputs, State: req.State}, nil
}

func (*Network) Delete(ctx context.Context, req infer.DeleteRequest[NetworkState]) (infer.DeleteResponse, error) {
	if _, err := docker(ctx, nil, "network", "rm", req.ID); err != nil && !notFound(err) {
		return infer.DeleteResponse{}, err
	}
	return infer.DeleteResponse{}, nil
}

// Volume is docker:index/volume:Volume.
type Volume struct{}

type VolumeArgs struct {
	Name   *string          `pulumi:"name,optional"`
	Driver *string          `pulumi:"driver,optional"`
	Labels []ContainerLabel `pulumi:"labels,optional"`
}

type VolumeState struct {
	VolumeArgs
	VolumeName string `pulumi:"volumeName"`
}

func (v *Volume) Annotate(a infer.Annotator) { a.SetToken("index/volume", "Volume") }

func (*Volume) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[VolumeArgs], error) {
	return pluginkit.CheckSupported[VolumeArgs](ctx, "docker", "index/volume:Volume", req.NewInputs)
}

func (*Volume) Create(ctx context.Context, req infer.CreateRequest[VolumeArgs]) (infer.CreateResponse[VolumeState], error) {
	name := pluginkit.StrOr(req.Inputs.Name, req.Name)
	st := VolumeState{VolumeArgs: req.Inputs, VolumeName: name}
	if req.DryRun {
		return infer.CreateResponse[VolumeState]{Output: st}, nil
	}
	args := append([]string{"volume", "create", "--driver", pluginkit.StrOr(req.Inputs.Driver, "local")}, labelFlags(req.Inputs.Labels)...)
	out, err := docker(ctx, nil, append(args, name)...)
	return infer.CreateResponse[VolumeState]{ID: strings.TrimSpace(string(out)), Output: st}, err
}

func (*Volume) Read(ctx context.Context, req infer.ReadRequest[VolumeArgs, VolumeState]) (infer.ReadResponse[VolumeArgs, VolumeState], error) {
	var got struct{ Name string }
	found, err := inspect(ctx, "volume", req.ID, &got)
	if err != nil || !found {
		return infer.ReadResponse[VolumeArgs, VolumeState]{}, err
	}
	return infer.ReadResponse[VolumeArgs, VolumeState]{ID: req.ID, Inputs: req.Inputs, State: req.State}, nil
}

func (*Volume) Delete(ctx context.Context, req infer.DeleteRequest[VolumeState]) (infer.DeleteResponse, error) {
	if _, err := docker(ctx, nil, "volume", "rm", req.ID); err != nil && !notFound(err) {
		return infer.DeleteResponse{}, err
	}
	return infer.DeleteResponse{}, nil
}

func keyValueFlags(flag string, m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, flag, k+"="+m[k])
	}
	return out
}

func labelFlags(labels []ContainerLabel) []string {
	m := map[string]string{}
	for _, l := range labels {
		m[l.Label] = l.Value
	}
	return keyValueFlags("--label", m)
}
