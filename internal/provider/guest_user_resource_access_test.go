package provider

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"
)

func TestApplyRelationship(t *testing.T) {
	const (
		a = "aaaaaaaa-0000-0000-0000-000000000001"
		b = "bbbbbbbb-0000-0000-0000-000000000002"
		c = "cccccccc-0000-0000-0000-000000000003"
	)
	boom := errors.New("boom")
	tests := []struct {
		name            string
		have, want      []string
		failAdd, failRm string
		wantNow         []string
		wantCalls       []string
		wantErr         bool
	}{
		{name: "adds and removes", have: []string{a, b}, want: []string{b, c}, wantNow: []string{b, c}, wantCalls: []string{"-" + a, "+" + c}},
		{name: "case-insensitive no-op", have: []string{a}, want: []string{"AAAAAAAA-0000-0000-0000-000000000001"}, wantNow: []string{a}},
		{name: "from nothing", want: []string{a, b}, wantNow: []string{a, b}, wantCalls: []string{"+" + a, "+" + b}},
		{name: "failed add keeps what was done", have: []string{a}, want: []string{b, c}, failAdd: c,
			wantNow: []string{b}, wantCalls: []string{"-" + a, "+" + b, "+" + c}, wantErr: true},
		{name: "failed remove changes nothing else", have: []string{a}, want: []string{b}, failRm: a,
			wantNow: []string{a}, wantCalls: []string{"-" + a}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []string
			add := func(_ context.Context, x string) error {
				calls = append(calls, "+"+x)
				if x == tt.failAdd {
					return boom
				}
				return nil
			}
			rm := func(_ context.Context, x string) error {
				calls = append(calls, "-"+x)
				if x == tt.failRm {
					return boom
				}
				return nil
			}
			now, err := applyRelationship(context.Background(), tt.have, tt.want, add, rm)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %t", err, tt.wantErr)
			}
			sort.Strings(now)
			if !sameList(now, tt.wantNow) {
				t.Errorf("now = %v, want %v", now, tt.wantNow)
			}
			if !sameList(calls, tt.wantCalls) {
				t.Errorf("calls = %v, want %v", calls, tt.wantCalls)
			}
		})
	}
}

func TestSpelledAsKeepsConfiguredCase(t *testing.T) {
	got := spelledAs([]string{"aaaaaaaa-0000-0000-0000-00000000000a", "bbbbbbbb-0000-0000-0000-00000000000b"},
		[]string{"AAAAAAAA-0000-0000-0000-00000000000A"})
	want := []string{"AAAAAAAA-0000-0000-0000-00000000000A", "bbbbbbbb-0000-0000-0000-00000000000b"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("spelledAs = %v, want %v", got, want)
	}
}

func TestCaseDuplicates(t *testing.T) {
	if d := caseDuplicates([]string{"aaaaaaaa-0000-0000-0000-00000000000a", "AAAAAAAA-0000-0000-0000-00000000000A", "b"}); len(d) != 1 {
		t.Errorf("caseDuplicates = %v, want one pair", d)
	}
	if d := caseDuplicates([]string{"a", "b"}); len(d) != 0 {
		t.Errorf("caseDuplicates of distinct IDs = %v, want none", d)
	}
}

// sameList compares two lists, nil and empty being the same.
func sameList(a, b []string) bool {
	return (len(a) == 0 && len(b) == 0) || reflect.DeepEqual(a, b)
}
