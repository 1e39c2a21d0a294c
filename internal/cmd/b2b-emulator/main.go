// Command b2b-emulator runs the Microsoft Graph and identity platform
// emulator on its own, over TLS on a loopback address, for the demo,
// benchmarks and manual runs of Terraform against the b2b provider.
//
//	go run ./internal/cmd/b2b-emulator -ca-dir .demo/ca -state-file .demo/state.json -env-file .demo/env
//	. .demo/env && terraform apply
//
// The emulator is driven from outside through its /_emulator/ control API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

type config struct {
	addr, stateFile, caFile, caDir, envFile, tenantDomain string
	lag, deleteLag, latency                               time.Duration
	invitationLimit                                       string
	faultSeed                                             uint64
	latitude                                              bool
}

func main() {
	var c config
	fs := flag.NewFlagSet("b2b-emulator", flag.ExitOnError)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "loopback address to listen on (port 0 picks a free one)")
	fs.StringVar(&c.stateFile, "state-file", "", "JSON file the directory is loaded from and saved to (with the tenant and app), so a restart keeps it")
	fs.StringVar(&c.caFile, "ca-file", "", "where to write the CA certificate (PEM), for SSL_CERT_FILE; default <ca-dir>/ca.pem when -ca-dir is set")
	fs.StringVar(&c.caDir, "ca-dir", "", "directory keeping the CA certificate and key across restarts")
	fs.StringVar(&c.envFile, "env-file", "", "write a shell file of export lines (endpoints, credentials, SSL_CERT_FILE) to source")
	fs.StringVar(&c.tenantDomain, "tenant-domain", "contoso.onmicrosoft.com", "the tenant's initial domain")
	fs.DurationVar(&c.lag, "replication-lag", 0, "how long a newly invited user stays unreadable (eventual consistency)")
	fs.DurationVar(&c.deleteLag, "delete-replication-lag", 0, "how long reads still return a deleted user (eventual consistency)")
	fs.DurationVar(&c.latency, "latency", 0, "latency added to every Graph request")
	fs.StringVar(&c.invitationLimit, "invitation-limit", "150/5s", `invitation throttle as N/window, or "off"`)
	fs.Uint64Var(&c.faultSeed, "fault-seed", 0, "seed of the random fault draws (PUT /_emulator/faults), to replay a run; 0 draws one, printed at start")
	fs.BoolVar(&c.latitude, "latitude", false, "take, where Graph's docs leave Graph a choice, the one least convenient for a client: batch answers reordered, pages of two, fractional seconds, unasked properties (emulator.FullLatitude)")
	_ = fs.Parse(os.Args[1:])

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c, os.Stdout, log); err != nil {
		log.Error("b2b-emulator failed", "error", err)
		os.Exit(1)
	}
}

func parseLimit(s string) (emulator.RateLimit, error) { return emulator.ParseRateLimit(s) }

// loadOrCreateCA keeps one CA in dir so that a trust store (SSL_CERT_FILE)
// written before a restart stays valid after it.
func loadOrCreateCA(dir string) (*emulator.CA, error) {
	if dir == "" {
		return emulator.NewCA()
	}
	certPath, keyPath := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca-key.pem")
	certPEM, errC := os.ReadFile(certPath)
	keyPEM, errK := os.ReadFile(keyPath)
	if errC == nil && errK == nil {
		if ca, err := emulator.LoadCA(certPEM, keyPEM); err == nil {
			return ca, nil
		}
	}
	ca, err := emulator.NewCA()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	key, err := ca.MarshalKeyPEM()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(keyPath, key, 0o600); err != nil {
		return nil, err
	}
	return ca, ca.WriteCertFile(certPath)
}

// options are the emulator's options from the flags.
func (c config) options(ca *emulator.CA, limit emulator.RateLimit) emulator.Options {
	opts := emulator.Options{
		Addr:                 c.addr,
		CA:                   ca,
		TenantDomain:         c.tenantDomain,
		ReplicationLag:       c.lag,
		StateFile:            c.stateFile,
		InvitationLimit:      limit,
		FaultSeed:            c.faultSeed,
		DeleteReplicationLag: c.deleteLag,
	}
	if c.latitude {
		opts.Latitude = emulator.FullLatitude()
	}
	return opts
}

func run(ctx context.Context, c config, out io.Writer, log *slog.Logger) error {
	limit, err := parseLimit(c.invitationLimit)
	if err != nil {
		return err
	}
	ca, err := loadOrCreateCA(c.caDir)
	if err != nil {
		return fmt.Errorf("CA: %w", err)
	}
	caFile := c.caFile
	if caFile == "" && c.caDir != "" {
		caFile = filepath.Join(c.caDir, "ca.pem")
	}
	if caFile == "" && c.envFile != "" {
		caFile = filepath.Join(filepath.Dir(c.envFile), "b2b-emulator-ca.pem")
	}
	if caFile != "" {
		if err := ca.WriteCertFile(caFile); err != nil {
			return fmt.Errorf("write CA file: %w", err)
		}
		if caFile, err = filepath.Abs(caFile); err != nil {
			return err
		}
	}
	s, err := emulator.Start(c.options(ca, limit))
	if err != nil {
		return err
	}
	if c.latency > 0 {
		s.SetFaults(emulator.Faults{Latency: c.latency})
	}
	app := s.DefaultApp()
	env := []struct{ k, v string }{
		{"B2B_EMULATOR_URL", s.URL()},
		{"ARM_TENANT_ID", s.TenantID()},
		{"ARM_CLIENT_ID", app.ClientID},
		{"ARM_CLIENT_SECRET", app.Secret},
		{"B2B_GRAPH_ENDPOINT", s.GraphEndpoint()},
		{"B2B_AUTHORITY_HOST", s.AuthorityHost()},
	}
	if caFile != "" {
		env = append(env, struct{ k, v string }{"SSL_CERT_FILE", caFile})
	}
	if c.envFile != "" {
		var b strings.Builder
		b.WriteString("# Written by b2b-emulator; the secret is a throwaway emulator secret.\n")
		for _, e := range env {
			fmt.Fprintf(&b, "export %s=%s\n", e.k, shellQuote(e.v))
		}
		// Written whole (temp file + rename, 0600 as it carries the emulator
		// secret): scripts poll for the file and source it as soon as it exists.
		if err := writeFileAtomic(c.envFile, []byte(b.String())); err != nil {
			_ = s.Close()
			return fmt.Errorf("write env file: %w", err)
		}
	}
	fmt.Fprintf(out, "b2b-emulator listening on %s\n", s.URL())
	fmt.Fprintf(out, "  tenant %s (%s)\n", s.TenantID(), s.TenantDomain())
	fmt.Fprintf(out, "  control API %s/_emulator/\n", s.URL())
	fmt.Fprintf(out, "  fault seed %d (replay with -fault-seed %d)\n", s.FaultSeed(), s.FaultSeed())
	fmt.Fprintf(out, "Credentials (throwaway emulator app):\n")
	for _, e := range env {
		fmt.Fprintf(out, "  %s=%s\n", e.k, e.v)
	}
	if c.envFile != "" {
		fmt.Fprintf(out, "Source %s to use them.\n", c.envFile)
	}

	<-ctx.Done()
	log.Info("shutting down", "url", s.URL())
	if err := s.Close(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// shellQuote single-quotes v for POSIX shells.
func shellQuote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".b2b-emulator-env-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
