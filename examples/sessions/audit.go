package sessions

import (
	"context"

	"github.com/monotable/monotable/lambda"
)

// onSession records how a session ended. The stream delivers every change
// of a session; only removals matter here, and DynamoDB marks those its
// TTL process made (Change.Expired) apart from those a user made.
//
// Lambda retries a failed batch from the failed record, so a record may be
// handled twice: the entry's key is the record's own time and session, and
// a second put writes the same item again.
func (s *Service) onSession(ctx context.Context, c lambda.Change[Session]) error {
	if c.Event != "REMOVE" || c.Old == nil {
		return nil
	}
	event := Revoked
	if c.Expired {
		event = Expired
	}
	now := s.now()
	at := now
	if c.Record != nil && !c.Record.Change.ApproximateCreationDateTime.IsZero() {
		at = c.Record.Change.ApproximateCreationDateTime.UTC()
	}
	a := Audit{UserID: c.Old.UserID, SessionID: c.Old.ID, At: at, Event: event, Expires: now.Add(AuditRetention)}
	if err := s.audits.Put(ctx, &a); err != nil {
		return err
	}
	// The session id stays out of the logs: it was a bearer secret.
	lambda.Logger(ctx).Info("session ended", "user", c.Old.UserID, "event", event)
	return nil
}
