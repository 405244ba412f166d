package wire_test

import (
	"testing"

	"github.com/guregu/dynamo/v2"

	"github.com/monotable/monotable/internal/memstore/clienttest"
)

// guregu/dynamo over HTTP: the script memstore's guregu test runs in
// process, through dynamo.New with the endpoint as BaseEndpoint, as an app
// configured for `monotable local` makes the calls.
func TestGureguOverHTTP(t *testing.T) {
	clienttest.Guregu(t, dynamo.New(e2eConfig(e2eServer(t))))
}
