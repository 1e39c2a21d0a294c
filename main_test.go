package main

import (
	"context"
	"runtime"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/entra-b2b/terraform-provider-b2b/internal/provider"
)

type ctxKey struct{}

// keepingServer does what the framework's proto6server does: it keeps a
// context derived from every request's.
type keepingServer struct {
	frameworkServer
	kept    []context.Context
	cancels []context.CancelFunc
	during  any
}

func (k *keepingServer) ReadResource(ctx context.Context, _ *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	ctx, cancel := context.WithCancel(ctx)
	k.kept = append(k.kept, ctx)
	k.cancels = append(k.cancels, cancel)
	k.during = ctx.Value(ctxKey{})
	return &tfprotov6.ReadResourceResponse{}, nil
}

func TestDetachingServerLetsGoOfTheRequestContext(t *testing.T) {
	down := &keepingServer{}
	s := detachingServer{down}
	reqCtx, cancelReq := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "logger"))
	defer cancelReq()
	if _, err := s.ReadResource(reqCtx, &tfprotov6.ReadResourceRequest{}); err != nil {
		t.Fatal(err)
	}
	if down.during != "logger" {
		t.Fatalf("during the RPC the framework saw value %v, want the request's", down.during)
	}
	kept := down.kept[0]
	if v := kept.Value(ctxKey{}); v != nil {
		t.Fatalf("after the RPC the kept context still reaches the request's values (%v)", v)
	}
	cancelReq()
	if kept.Err() == nil {
		t.Fatal("the end of the request did not reach the kept context")
	}
}

func TestDetachingServerPassesCancellationThrough(t *testing.T) {
	reqCtx, cancelReq := context.WithCancel(context.Background())
	d := newDetachableContext(reqCtx)
	child, cancelChild := context.WithCancel(d)
	defer cancelChild()
	cancelReq()
	select {
	case <-child.Done():
	default:
		t.Fatal("cancelling the request did not reach a context derived from the detachable one")
	}
}

// TestDetachingServerBoundsKeptMemory is the regression the wrapper exists
// for: a thousand requests, each carrying 64 kB in its context, must not
// stay on the heap because the downstream keeps their contexts.
func TestDetachingServerBoundsKeptMemory(t *testing.T) {
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	run := func(s tfprotov6.ProviderServer) uint64 {
		before := heap()
		for range 1000 {
			ctx := context.WithValue(context.Background(), ctxKey{}, make([]byte, 64<<10))
			if _, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{}); err != nil {
				t.Fatal(err)
			}
		}
		return heap() - min(before, heap())
	}
	bare := &keepingServer{}
	grewBare := run(bare)
	wrapped := &keepingServer{}
	grewWrapped := run(detachingServer{wrapped})
	t.Logf("heap growth over 1,000 requests: %d kB unwrapped, %d kB wrapped", grewBare>>10, grewWrapped>>10)
	if grewWrapped > 8<<20 {
		t.Fatalf("the wrapped server kept %d MB after 1,000 requests", grewWrapped>>20)
	}
	if grewBare < 32<<20 {
		t.Fatalf("the unwrapped fake kept only %d MB: the test no longer reproduces the leak", grewBare>>20)
	}
	runtime.KeepAlive(bare)
	runtime.KeepAlive(wrapped)
}

// The wrapper only applies when the framework's server implements every
// surface; if a framework upgrade dropped one, the leak would silently
// return.
func TestFrameworkServerIsWrapped(t *testing.T) {
	s := newDetachingServer(providerserver.NewProtocol6(provider.New("test")())())
	if _, ok := s.(detachingServer); !ok {
		t.Fatalf("the framework's server (%T) is served unwrapped", s)
	}
}

func TestQuietUnreadLogs(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"Terraform discards provider logs", map[string]string{}, map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_PROVIDER_B2B": "OFF"}},
		{"TF_LOG=off", map[string]string{"TF_LOG": "off"}, map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_PROVIDER_B2B": "OFF"}},
		{"TF_LOG=debug keeps them", map[string]string{"TF_LOG": "debug"}, map[string]string{}},
		{"TF_LOG_PROVIDER=trace keeps them", map[string]string{"TF_LOG_PROVIDER": "trace"}, map[string]string{}},
		{"an explicit SDK level is kept", map[string]string{"TF_LOG_SDK": "debug"}, map[string]string{"TF_LOG_SDK": "debug", "TF_LOG_PROVIDER_B2B": "OFF"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range c.env {
				env[k] = v
			}
			quietUnreadLogs(func(k string) (string, bool) { v, ok := env[k]; return v, ok },
				func(k, v string) error { env[k] = v; return nil })
			for k, v := range c.want {
				if env[k] != v {
					t.Errorf("%s = %q, want %q", k, env[k], v)
				}
			}
			for _, k := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER_B2B"} {
				if _, want := c.want[k]; !want && env[k] != "" {
					t.Errorf("%s set to %q, want it left unset", k, env[k])
				}
			}
		})
	}
}
