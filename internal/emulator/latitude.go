package emulator

import (
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// Latitude makes the emulator take, in its successful answers, the choice
// Microsoft's docs leave to Graph that is least convenient for a client.
// Each field names the page that grants the choice. An independent Graph
// implementation may take any of them; a client that works with every one
// on does not depend on the emulator's convenient defaults.
type Latitude struct {
	// BatchOrder answers the items of a $batch in an order other than the
	// requests' (shuffled with the fault draws, so Options.FaultSeed
	// replays it; never the request order when there are two or more).
	// The batching page says the responses may come in another order than
	// the requests and that the id correlates them
	// (https://learn.microsoft.com/graph/json-batching).
	BatchOrder bool
	// PageSize caps every page of a user or directory-object collection
	// (users, deleted users, group members, memberOf, sponsors) at this
	// many items whatever $top asks, and the next link keeps the $top
	// asked for. 0: $top (or the default) decides. Server-side paging
	// chooses the page size, a client reads until no @odata.nextLink comes
	// back (https://learn.microsoft.com/graph/paging#how-paging-works), and
	// "introducing pagination to existing collections" is a change Graph
	// makes without a new version
	// (https://learn.microsoft.com/graph/versioning-and-support#api-contract-and-non-backward-compatible-changes).
	PageSize int
	// FractionalSeconds writes the users' timestamps (createdDateTime,
	// externalUserStateChangeDateTime, deletedDateTime, employeeLeaveDateTime,
	// signInActivity) with seven fractional digits, where the default writes
	// whole seconds. DateTimeOffset values are documented as ISO 8601 in UTC
	// (e.g. https://learn.microsoft.com/graph/api/resources/signinactivity,
	// whose example has whole seconds); ISO 8601 allows a fraction of a
	// second, and the date-time pattern of Graph's published OpenAPI
	// description makes it optional (up to twelve digits).
	FractionalSeconds bool
	// UnaskedProperties adds to every user Graph returns what the client
	// did not ask for in $select: id, "@odata.type" and a property no
	// version of the provider knows (unaskedProperty, an object). Clients
	// "should be prepared to receive properties and derived types not
	// previously defined"
	// (https://learn.microsoft.com/graph/versioning-and-support#api-contract-and-non-backward-compatible-changes).
	UnaskedProperties bool
}

// FullLatitude is every choice on, with pages of two items: what the
// acceptance harness runs against.
func FullLatitude() Latitude {
	return Latitude{BatchOrder: true, PageSize: 2, FractionalSeconds: true, UnaskedProperties: true}
}

// unaskedProperty is the property UnaskedProperties adds: a name Graph
// does not use, with a nested value, as a new complex property would be.
const unaskedProperty = "emulatorFutureProperty"

// SetLatitude replaces the latitude the emulator takes from now on.
// Timestamps already stored keep their form.
func (s *Server) SetLatitude(l Latitude) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latitude = l
}

// Latitude reports the latitude in effect.
func (s *Server) Latitude() Latitude {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latitude
}

// stampLocked formats a user's timestamp as it is stored and returned.
func (s *Server) stampLocked(t time.Time) string {
	if s.latitude.FractionalSeconds {
		return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
	}
	return formatTime(t)
}

// stamp is stampLocked for callers not holding s.mu.
func (s *Server) stamp(t time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stampLocked(t)
}

// restampLocked stores a timestamp written by PATCH (validated and in
// UTC) in the form the latitude returns; other values pass unchanged.
func (s *Server) restampLocked(name string, v any) any {
	str, ok := v.(string)
	if !ok || modelledProps[name].Type != userprop.Time {
		return v
	}
	t, err := time.Parse(time.RFC3339Nano, str)
	if err != nil {
		return v
	}
	return s.stampLocked(t)
}

// pageSizeLocked is the page size served for a request that asked for top.
func (s *Server) pageSizeLocked(top int) int {
	if n := s.latitude.PageSize; n > 0 && n < top {
		return n
	}
	return top
}

// addUnaskedLocked adds to a rendered user what UnaskedProperties adds.
func (s *Server) addUnaskedLocked(u *user, out map[string]any) {
	if !s.latitude.UnaskedProperties || out == nil {
		return
	}
	if _, ok := out["id"]; !ok {
		out["id"] = u.Props["id"]
	}
	if _, ok := out["@odata.type"]; !ok {
		out["@odata.type"] = "#microsoft.graph.user"
	}
	out[unaskedProperty] = map[string]any{"kind": "emulator", "values": []any{1, "two", nil}}
}

// inAnswerOrder puts a batch's results, in request order, in the order
// they are answered.
func (s *Server) inAnswerOrder(results []map[string]any) []map[string]any {
	s.mu.Lock()
	order := s.batchOrderLocked(len(results))
	s.mu.Unlock()
	out := make([]map[string]any, len(results))
	for i, p := range order {
		out[i] = results[p]
	}
	return out
}

// batchOrderLocked is the order in which a batch of n items is answered:
// positions into the requests.
func (s *Server) batchOrderLocked(n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if !s.latitude.BatchOrder || n < 2 {
		return order
	}
	s.faultRand.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	for i, p := range order {
		if i != p {
			return order
		}
	}
	// The shuffle kept the request order: answer in reverse instead, so a
	// client matching by position always fails.
	for i := range order {
		order[i] = n - 1 - i
	}
	return order
}
