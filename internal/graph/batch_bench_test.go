package graph

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
)

func benchUserJSON(i int) map[string]any {
	return map[string]any{
		"id": fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "displayName": fmt.Sprintf("Guest %05d", i),
		"userPrincipalName": fmt.Sprintf("guest%05d_partner.example#EXT#@contoso.onmicrosoft.com", i),
		"mail":              fmt.Sprintf("guest%05d@partner.example", i), "userType": "Guest",
		"externalUserState": "PendingAcceptance", "externalUserStateChangeDateTime": "2026-01-02T03:04:05Z",
		"creationType": "Invitation", "createdDateTime": "2026-01-02T03:04:05Z", "accountEnabled": true,
		"jobTitle": "Buyer", "companyName": "Partner Ltd", "businessPhones": []string{},
		"otherMails": []string{fmt.Sprintf("guest%05d@partner.example", i)},
	}
}

// A full batch of 20 user reads, as Graph answers it: the per-refresh cost
// of turning wire JSON into graph.User values (kiota parse + toUser).
func batchResponse(b *testing.B, n int) []byte {
	b.Helper()
	var items []map[string]any
	for i := range n {
		items = append(items, map[string]any{"id": strconv.Itoa(i + 1), "status": 200,
			"headers": map[string]string{"Content-Type": "application/json"}, "body": benchUserJSON(i)})
	}
	raw, err := json.Marshal(map[string]any{"responses": items})
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func BenchmarkSplitUserBatch(b *testing.B) {
	c := &client{log: nopLogger{}}
	raw := batchResponse(b, maxBatchItems)
	reads := make([]*batchRead, maxBatchItems)
	for i := range reads {
		reads[i] = &batchRead{id: fmt.Sprintf("00000000-0000-4000-8000-%012d", i)}
	}
	b.ReportAllocs()
	for b.Loop() {
		answers, err := c.splitUserBatch(raw, reads)
		if err != nil {
			b.Fatal(err)
		}
		if answers[19].user == nil || answers[19].user.Mail != "guest00019@partner.example" {
			b.Fatalf("answer 20 = %+v", answers[19])
		}
	}
}

// The error path of a refresh that finds deleted guests (404 items).
func BenchmarkBatchItemNotFound(b *testing.B) {
	c := &client{log: nopLogger{}}
	item := &batchResponseItem{ID: "1", Status: 404, Headers: map[string]string{"request-id": "r"},
		Body: json.RawMessage(`{"error":{"code":"Request_ResourceNotFound","message":"gone","innerError":{"request-id":"r","date":"2026-01-02T03:04:05"}}}`)}
	r := &batchRead{id: "u1"}
	b.ReportAllocs()
	for b.Loop() {
		if a := c.batchItemAnswer(item, r); !IsNotFound(a.err) {
			b.Fatal(a.err)
		}
	}
}
