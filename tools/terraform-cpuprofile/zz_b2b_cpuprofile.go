//go:build b2b_tfcpuprofile

// This file is not part of this repository's build: tools/install-terraform-profiled.sh
// adds it to Terraform's package main with `go build -overlay` (and the
// b2b_tfcpuprofile tag), so a Terraform CLI can write a CPU profile of one
// command. Terraform has no pprof switch of its own.
//
// With TF_B2B_TF_CPUPROFILE=<file> set, profiling starts in init and stops
// when realMain's top-level OpenTelemetry span ends: realMain defers that
// End, so it runs after the command, just before main's os.Exit, which
// would skip any deferred call of ours. Hooking the span needs no edit of
// Terraform's own files: package main's tracer variable (telemetry.go) is
// wrapped, and this file's init runs after telemetry.go's because the
// compiler initialises a package's files in name order ("zz_" last).

package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"sync"

	"go.opentelemetry.io/otel/trace"
)

const b2bCPUProfileEnv = "TF_B2B_TF_CPUPROFILE"

func init() {
	path := os.Getenv(b2bCPUProfileEnv)
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", b2bCPUProfileEnv, err)
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", b2bCPUProfileEnv, err)
		_ = f.Close()
		return
	}
	tracer = &b2bProfilingTracer{Tracer: tracer, stop: func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}}
}

// b2bProfilingTracer hands out tracer's spans; the first one, realMain's
// span over the whole command, stops the profile when it ends.
type b2bProfilingTracer struct {
	trace.Tracer
	once sync.Once
	stop func()
}

func (t *b2bProfilingTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	ctx, span := t.Tracer.Start(ctx, name, opts...)
	wrap := false
	t.once.Do(func() { wrap = true })
	if !wrap {
		return ctx, span
	}
	return ctx, &b2bProfilingSpan{Span: span, stop: t.stop}
}

// b2bProfilingSpan stops the CPU profile when it ends.
type b2bProfilingSpan struct {
	trace.Span
	done sync.Once
	stop func()
}

func (s *b2bProfilingSpan) End(opts ...trace.SpanEndOption) {
	s.Span.End(opts...)
	s.done.Do(s.stop)
}
