package lambda

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Identity is who API Gateway or the function URL says made the request:
// what the authorizer in front of the function established. The app does
// not check tokens itself; it trusts the event, which only API Gateway
// and Lambda can produce.
type Identity struct {
	// Subject is the JWT "sub" claim, the Lambda authorizer's principalId,
	// or the IAM caller's ARN.
	Subject string
	// Claims are the JWT claims (HTTP API JWT authorizer, REST API Cognito
	// user pool authorizer), as strings.
	Claims map[string]string
	// Scopes are the token's OAuth scopes: the authorizer's list, or the
	// "scope" (or "scp") claim split on spaces.
	Scopes []string
	// Context is what a Lambda authorizer returned as context.
	Context map[string]any
	// IAM is the caller of a route with IAM authorization.
	IAM *IAM
}

// IAM is an IAM-authorized caller.
type IAM struct {
	AccessKey             string
	AccountID             string
	CallerID              string
	UserARN               string
	UserID                string
	PrincipalOrgID        string
	CognitoIdentityID     string
	CognitoIdentityPoolID string
}

// Authenticated reports whether any authorizer vouched for the request.
func (id *Identity) Authenticated() bool {
	return id.Subject != "" || len(id.Claims) > 0 || len(id.Context) > 0 || id.IAM != nil
}

// HasScopes reports whether the identity holds every one of scopes.
func (id *Identity) HasScopes(scopes ...string) bool {
	for _, s := range scopes {
		if !slices.Contains(id.Scopes, s) {
			return false
		}
	}
	return true
}

// Auth returns the identity of the request; never nil, empty when no
// authorizer ran (and always under net/http).
func Auth(ctx context.Context) *Identity {
	st := stateOf(ctx)
	if st == nil {
		return &Identity{}
	}
	st.identityOnce.Do(func() { st.identity = identityOf(st.event) })
	return st.identity
}

// RequireScopes refuses requests whose identity lacks any of scopes: 401
// when no authorizer vouched for the request, 403 (with RFC 6750's
// insufficient_scope challenge) when it did but the scopes are missing.
func RequireScopes(scopes ...string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := Auth(r.Context())
			switch {
			case !id.Authenticated():
				w.Header().Set("WWW-Authenticate", "Bearer")
				WriteError(w, r, Error(http.StatusUnauthorized, "authentication required"))
			case !id.HasScopes(scopes...):
				w.Header().Set("WWW-Authenticate", fmt.Sprintf("Bearer error=\"insufficient_scope\", scope=%q", strings.Join(scopes, " ")))
				WriteError(w, r, Error(http.StatusForbidden, "missing scope: "+strings.Join(scopes, " ")))
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

func identityOf(event any) *Identity {
	id := &Identity{}
	switch ev := event.(type) {
	case *events.APIGatewayV2HTTPRequest:
		a := ev.RequestContext.Authorizer
		if a == nil {
			break
		}
		if a.JWT != nil {
			id.Claims = a.JWT.Claims
			id.Scopes = a.JWT.Scopes
		}
		if a.Lambda != nil {
			id.Context = a.Lambda
		}
		if i := a.IAM; i != nil {
			id.IAM = &IAM{
				AccessKey: i.AccessKey, AccountID: i.AccountID, CallerID: i.CallerID,
				UserARN: i.UserARN, UserID: i.UserID, PrincipalOrgID: i.PrincipalOrgID,
				CognitoIdentityID: i.CognitoIdentity.IdentityID, CognitoIdentityPoolID: i.CognitoIdentity.IdentityPoolID,
			}
		}
	case *events.APIGatewayProxyRequest:
		rc := &ev.RequestContext
		if a := rc.Authorizer; len(a) > 0 {
			if claims, ok := a["claims"].(map[string]any); ok {
				id.Claims = make(map[string]string, len(claims))
				for k, v := range claims {
					id.Claims[k] = stringOf(v)
				}
				if s, ok := a["scopes"].([]any); ok {
					for _, x := range s {
						id.Scopes = append(id.Scopes, stringOf(x))
					}
				}
			} else {
				id.Context = a
			}
		}
		if i := &rc.Identity; i.UserArn != "" || i.AccessKey != "" {
			id.IAM = &IAM{
				AccessKey: i.AccessKey, AccountID: i.AccountID, CallerID: i.Caller, UserARN: i.UserArn, UserID: i.User,
				CognitoIdentityID: i.CognitoIdentityID, CognitoIdentityPoolID: i.CognitoIdentityPoolID,
			}
		}
	case *events.LambdaFunctionURLRequest:
		if a := ev.RequestContext.Authorizer; a != nil && a.IAM != nil {
			i := a.IAM
			id.IAM = &IAM{AccessKey: i.AccessKey, AccountID: i.AccountID, CallerID: i.CallerID, UserARN: i.UserARN, UserID: i.UserID}
		}
	}
	if len(id.Scopes) == 0 {
		id.Scopes = scopesOf(id.Claims)
	}
	switch {
	case id.Claims["sub"] != "":
		id.Subject = id.Claims["sub"]
	case id.Context["principalId"] != nil:
		id.Subject = stringOf(id.Context["principalId"])
	case id.IAM != nil:
		id.Subject = id.IAM.UserARN
	}
	return id
}

// scopesOf reads the scope claim: space-separated in OAuth 2.0 access
// tokens ("scope"), sometimes a list ("scp"), which payload 2.0 renders
// as "[a b]".
func scopesOf(claims map[string]string) []string {
	s, ok := claims["scope"]
	if !ok {
		s, ok = claims["scp"]
	}
	if !ok {
		return nil
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}

func stringOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
