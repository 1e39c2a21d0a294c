package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
)

// Terraform refreshes every resource with its own Read call, up to its
// parallelism (10 by default) at a time. Sent one by one, a plan over 1,000
// guests costs 1,000 GETs; gathered into JSON batches
// (https://learn.microsoft.com/graph/json-batching, at most 20 requests per
// batch) it costs about a tenth of that, and each batch is one round trip.
const (
	maxBatchItems = 20
	// batchIdle is how long a batch waits for one more read; each arrival
	// restarts it, up to batchMaxWait after the first. Terraform's parallel
	// reads reach the provider milliseconds apart, tens of them on a busy
	// machine (BENCHMARKS.md: with 5 ms/25 ms, 42 % of refresh reads found
	// no company at load 25). A lone read waits batchIdle at most, a third
	// of one Graph round trip.
	batchIdle    = 10 * time.Millisecond
	batchMaxWait = 50 * time.Millisecond
)

var opBatch = operation{name: "POST /$batch", permission: permRead}

// userBatcher coalesces concurrent GetUser calls into POST /$batch requests.
type userBatcher struct {
	c             *client
	idle, maxWait time.Duration
	max           int

	mu      sync.Mutex
	pending []*batchRead
	first   time.Time   // when the oldest pending read arrived
	timer   *time.Timer // flushes pending when no read arrives for idle
	gen     int         // bumped whenever pending is taken, so a stale timer does nothing
}

type batchRead struct {
	ctx  context.Context
	id   string
	done chan batchAnswer // buffered: the sender never blocks on a caller that left
}

type batchAnswer struct {
	user *User
	err  error
	// alone: no other read came within the window, so the caller sends a
	// plain GET itself, under its own context (its cancellation then
	// reports Graph's last answer, as any direct call does).
	alone bool
}

func newUserBatcher(c *client, idle, maxWait time.Duration, maxReads int) *userBatcher {
	return &userBatcher{c: c, idle: idle, maxWait: maxWait, max: maxReads}
}

// get queues a read and waits for its answer. A read that gets no company
// within the window goes out as a plain GET.
func (b *userBatcher) get(ctx context.Context, id string) (*User, error) {
	r := &batchRead{ctx: ctx, id: id, done: make(chan batchAnswer, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, r)
	if len(b.pending) >= b.max {
		reads := b.takeLocked()
		b.mu.Unlock()
		go b.send(reads)
	} else {
		now := time.Now()
		if len(b.pending) == 1 {
			b.first = now
		}
		if b.timer != nil {
			b.timer.Stop()
		}
		gen := b.gen
		b.timer = time.AfterFunc(min(b.idle, b.maxWait-now.Sub(b.first)), func() { b.flush(gen) })
		b.mu.Unlock()
	}
	select {
	case a := <-r.done:
		if a.alone {
			return b.c.getUserDirect(ctx, id)
		}
		return a.user, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (b *userBatcher) takeLocked() []*batchRead {
	reads := b.pending
	b.pending = nil
	b.gen++
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	return reads
}

func (b *userBatcher) flush(gen int) {
	b.mu.Lock()
	if gen != b.gen || len(b.pending) == 0 {
		b.mu.Unlock()
		return
	}
	reads := b.takeLocked()
	b.mu.Unlock()
	b.send(reads)
}

// send answers every read in reads, with one request whatever their number.
func (b *userBatcher) send(reads []*batchRead) {
	live := reads[:0]
	for _, r := range reads {
		if r.ctx.Err() == nil {
			live = append(live, r)
		}
	}
	switch len(live) {
	case 0:
		return
	case 1:
		live[0].done <- batchAnswer{alone: true}
		return
	}
	ctx, cancel := batchContext(live, b.c.retryBudget)
	defer cancel()
	answers, err := b.c.sendUserBatch(ctx, live)
	for i, r := range live {
		if err != nil {
			r.done <- batchAnswer{err: err}
			continue
		}
		r.done <- answers[i]
	}
}

// batchContext outlives any one caller giving up (the others still want
// their answers) and ends with the last caller's deadline. It keeps the
// first caller's values, so logging follows the Terraform operation.
func batchContext(reads []*batchRead, budget time.Duration) (context.Context, context.CancelFunc) {
	var last time.Time
	for _, r := range reads {
		d, ok := r.ctx.Deadline()
		if !ok {
			d = time.Now().Add(budget)
		}
		if d.After(last) {
			last = d
		}
	}
	ctx := context.WithValue(context.WithoutCancel(reads[0].ctx), lastResponseKey{}, &lastResponse{})
	return context.WithDeadline(ctx, last)
}

type batchRequestItem struct {
	ID     string `json:"id"`
	Method string `json:"method"`
	URL    string `json:"url"`
}

type batchResponseItem struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// userItemURL is the relative URL of a user read inside a batch: relative to
// the version root, with the same $select as a direct GetUser.
func userItemURL(id string) string {
	return "/users/" + url.PathEscape(id) + "?$select=" + strings.Join(userSelect, ",")
}

// sendUserBatch sends one POST /$batch for reads and returns one answer per
// read, in order. The error is for the batch as a whole (it was refused or
// never answered); an item's own failure is in its answer.
func (c *client) sendUserBatch(ctx context.Context, reads []*batchRead) ([]batchAnswer, error) {
	items := make([]batchRequestItem, len(reads))
	for i, r := range reads {
		items[i] = batchRequestItem{ID: strconv.Itoa(i + 1), Method: "GET", URL: userItemURL(r.id)}
	}
	body, err := json.Marshal(map[string]any{"requests": items})
	if err != nil {
		return nil, fmt.Errorf("graph: encoding the batch: %w", err)
	}
	var raw []byte
	err = c.call(ctx, opBatch, func(ctx context.Context) error {
		ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.POST,
			"{+baseurl}/$batch", map[string]string{"baseurl": c.adapter.GetBaseUrl()})
		ri.Headers.TryAdd("Accept", "application/json")
		ri.SetStreamContentAndContentType(body, "application/json")
		res, err := c.adapter.SendPrimitive(ctx, ri, "[]byte", errorMapping)
		if err != nil {
			return err
		}
		raw, _ = res.([]byte)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.splitUserBatch(raw, reads)
}

// splitUserBatch maps the batch response back onto reads. Graph may answer
// the items in any order, so they are matched by id.
func (c *client) splitUserBatch(raw []byte, reads []*batchRead) ([]batchAnswer, error) {
	var env struct {
		Responses []batchResponseItem `json:"responses"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, &Error{Operation: opBatch.name, Message: "Graph's batch response is not valid JSON: " + err.Error(), cause: err}
	}
	byID := make(map[string]*batchResponseItem, len(env.Responses))
	for i := range env.Responses {
		byID[env.Responses[i].ID] = &env.Responses[i]
	}
	answers := make([]batchAnswer, len(reads))
	for i, r := range reads {
		item, ok := byID[strconv.Itoa(i+1)]
		if !ok {
			answers[i] = batchAnswer{err: &Error{Operation: opGetUser.name, Message: "Graph's batch response has no answer for user " + r.id}}
			continue
		}
		answers[i] = c.batchItemAnswer(item)
	}
	return answers, nil
}

func (c *client) batchItemAnswer(item *batchResponseItem) batchAnswer {
	if item.Status >= 200 && item.Status < 300 {
		u, err := decodeUserJSON(item.Body)
		if err != nil {
			return batchAnswer{err: &Error{Operation: opGetUser.name, Message: "reading the user in Graph's batch response: " + err.Error(), cause: err}}
		}
		return batchAnswer{user: u}
	}
	return batchAnswer{err: c.batchItemError(item)}
}

// batchItemError turns a failed item into the same *Error a direct GET would
// have produced, Retry-After included, so callers retry and branch alike.
func (c *client) batchItemError(item *batchResponseItem) *Error {
	var env struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError struct {
				RequestID string `json:"request-id"`
				Date      string `json:"date"`
			} `json:"innerError"`
		} `json:"error"`
	}
	_ = json.Unmarshal(item.Body, &env) // an unreadable body still leaves the status
	e := &Error{
		StatusCode: item.Status,
		Code:       env.Error.Code,
		Message:    env.Error.Message,
		RequestID:  env.Error.InnerError.RequestID,
		Date:       env.Error.InnerError.Date,
		Operation:  opGetUser.name,
	}
	h := abs.NewResponseHeaders()
	for k, v := range item.Headers {
		h.Add(k, v)
	}
	c.finish(e, opGetUser, h)
	return e
}
