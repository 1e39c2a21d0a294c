package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// tflogLogger routes the graph package's log lines to tflog, which writes
// them to Terraform's log (TF_LOG) under the provider's name.
//
// The graph package promises never to pass secrets, but the secrets the
// provider holds are masked here as well: a redeem URL or a secret echoed
// in an error message from Graph must not reach a log file.
type tflogLogger struct {
	secrets []string
}

var _ graph.Logger = tflogLogger{}

func newTflogLogger(secrets ...string) tflogLogger {
	kept := make([]string, 0, len(secrets))
	for _, s := range secrets {
		if s != "" {
			kept = append(kept, s)
		}
	}
	return tflogLogger{secrets: kept}
}

func (l tflogLogger) mask(ctx context.Context) context.Context {
	if len(l.secrets) == 0 {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, l.secrets...)
	return tflog.MaskMessageStrings(ctx, l.secrets...)
}

// Debug implements graph.Logger.
func (l tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(l.mask(ctx), msg, withComponent(fields))
}

// Warn implements graph.Logger.
func (l tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(l.mask(ctx), msg, withComponent(fields))
}

func withComponent(fields map[string]any) map[string]any {
	out := make(map[string]any, len(fields)+1)
	for k, v := range fields {
		out[k] = v
	}
	out["component"] = "graph"
	return out
}
