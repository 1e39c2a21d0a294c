// Package sdkcompat holds only tests: they drive the emulator with the
// real msgraph-sdk-go and azidentity, as shipped, so that the emulator's
// JSON shapes, paging links, error envelopes and gzip handling are proven
// against the client the provider uses. They live apart from the emulator
// package because linking the SDK is slow, and the emulator's own suite
// must stay fast.
package sdkcompat
