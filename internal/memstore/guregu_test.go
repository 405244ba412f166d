package memstore_test

import (
	"testing"

	"github.com/guregu/dynamo/v2"

	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/memstore/clienttest"
)

// guregu/dynamo drives the store unchanged through dynamo.NewFromIface; the
// same script runs over HTTP in the wire package's tests.
func TestGureguDynamo(t *testing.T) {
	clienttest.Guregu(t, dynamo.NewFromIface(memstore.New()))
}
