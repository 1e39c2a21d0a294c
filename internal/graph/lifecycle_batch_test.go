package graph

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// The employeeLeaveDateTime reads of a refresh (expires_on) travel as
// batch items with the guests' reads, not as one GET each; a 403 on one of
// them (no User-LifeCycleInfo.Read.All) fails that read alone, not the
// user reads beside it in the same batch.
func TestLeaveDateReadsAreBatchItems(t *testing.T) {
	f := newFake(t)
	ids := guestIDs("g", 5)
	ft := newFakeTenant(f, ids)
	ft.leaveDenied = map[string]bool{ids[2]: true}
	c, clk := snapshotClient(t, f)
	c.impl.snapshot = nil // the user reads share the batch with the leave dates
	users := make([]*User, len(ids))
	leaves := make([]*time.Time, len(ids))
	uerrs, lerrs := make([]error, len(ids)), make([]error, len(ids))
	var wg sync.WaitGroup
	done := make(chan struct{})
	for i, id := range ids {
		wg.Add(2)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			users[i], uerrs[i] = c.GetUser(ctx, id)
		}()
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			leaves[i], lerrs[i] = c.GetEmployeeLeaveDateTime(ctx, id)
		}()
	}
	go func() { wg.Wait(); close(done) }()
	for waiting := true; waiting; {
		select {
		case <-done:
			waiting = false
		case <-time.After(5 * time.Millisecond):
			clk.advanceToNext()
		}
	}
	want := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, id := range ids {
		if uerrs[i] != nil || users[i].ID != id {
			t.Errorf("user %s: %+v, %v", id, users[i], uerrs[i])
		}
		if i == 2 {
			if !IsForbidden(lerrs[i]) || !strings.Contains(lerrs[i].Error(), PermLifeCycleInfoRead) {
				t.Errorf("denied leave date of %s: %v; want 403 naming %s", id, lerrs[i], PermLifeCycleInfoRead)
			}
			continue
		}
		if lerrs[i] != nil || leaves[i] == nil || !leaves[i].Equal(want) || leaves[i].Location() != time.UTC {
			t.Errorf("leave date of %s: %v, %v; want %v", id, leaves[i], lerrs[i], want)
		}
	}
	items := 0
	for _, call := range f.calls() {
		if call.Path != "/v1.0/$batch" {
			t.Errorf("a read went alone: %s %s?%s", call.Method, call.Path, call.Query.Encode())
			continue
		}
		var b struct {
			Requests []struct{ URL string } `json:"requests"`
		}
		_ = json.Unmarshal(call.Body, &b)
		for _, r := range b.Requests {
			if strings.Contains(r.URL, "$select=id,employeeLeaveDateTime") {
				items++
			}
		}
	}
	if items != len(ids) {
		t.Errorf("%d leave-date items in the batches; want %d", items, len(ids))
	}
}
