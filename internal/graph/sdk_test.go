package graph

import (
	"os"
	"strings"
	"testing"
)

// The telemetry header names the SDK release; it must follow go.mod when
// msgraph-sdk-go is upgraded, as the SDK's own adapter would.
func TestSDKVersionMatchesGoMod(t *testing.T) {
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "github.com/microsoftgraph/msgraph-sdk-go" {
			if f[1] != "v"+sdkVersion {
				t.Fatalf("sdkVersion is %s but go.mod requires msgraph-sdk-go %s", sdkVersion, f[1])
			}
			return
		}
	}
	t.Fatal("go.mod does not require msgraph-sdk-go")
}
