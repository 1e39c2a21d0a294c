package emulator

import "testing"

// The benchmark derives wire requests as key minus batch-item:key; this
// pins both halves of that subtraction.
func TestBatchItemsCountedApartFromWireRequests(t *testing.T) {
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())
	id, _ := s.SeedUser(SeedUser{Email: "c@partner.example"})

	mustStatus(t, graph(t, s, tok, "GET", "/users/"+id, nil), 200)
	mustStatus(t, graph(t, s, tok, "POST", "/$batch", batchReq(
		map[string]any{"id": "1", "method": "GET", "url": "/users/" + id},
		map[string]any{"id": "2", "method": "GET", "url": "/users/" + newGUID()},
	)), 200)

	c := s.Counters()
	const get = "GET /v1.0/users/{id}"
	if c[get] != 3 || c[BatchItemCounterPrefix+get] != 2 {
		t.Errorf("GET counted %d times, %d of them as batch items; want 3 and 2: %v", c[get], c[BatchItemCounterPrefix+get], c)
	}
	if c[BatchItemCounterPrefix+"POST /v1.0/$batch"] != 0 {
		t.Errorf("the batch itself was counted as an item: %v", c)
	}
}
