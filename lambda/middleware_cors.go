package lambda

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CORSConfig says which cross-origin requests browsers may make.
type CORSConfig struct {
	// AllowOrigins are the origins allowed ("https://app.example.com"), or
	// "*" for any. With AllowCredentials, "*" echoes the request's origin.
	AllowOrigins []string
	// AllowMethods default to GET, HEAD, POST, PUT, PATCH and DELETE.
	AllowMethods []string
	// AllowHeaders default to the headers the preflight asks for.
	AllowHeaders     []string
	ExposeHeaders    []string
	AllowCredentials bool
	MaxAge           time.Duration
}

// CORS answers preflight requests and adds the CORS headers to the
// responses of allowed origins. Register it with [App.Use], so that it
// sees preflights for routes that have no OPTIONS handler. Requests from
// origins not allowed pass through without CORS headers, and the browser
// refuses them.
func CORS(c CORSConfig) Middleware {
	methods := strings.Join(c.AllowMethods, ", ")
	if methods == "" {
		methods = "GET, HEAD, POST, PUT, PATCH, DELETE"
	}
	headers := strings.Join(c.AllowHeaders, ", ")
	expose := strings.Join(c.ExposeHeaders, ", ")
	anyOrigin := slices.Contains(c.AllowOrigins, "*")
	maxAge := ""
	if c.MaxAge > 0 {
		maxAge = strconv.Itoa(int(c.MaxAge / time.Second))
	}
	allowed := func(origin string) bool {
		return anyOrigin || slices.ContainsFunc(c.AllowOrigins, func(o string) bool { return strings.EqualFold(o, origin) })
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			h := w.Header()
			h.Add("Vary", "Origin")
			if origin == "" || !allowed(origin) {
				next.ServeHTTP(w, r)
				return
			}
			if anyOrigin && !c.AllowCredentials {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			if c.AllowCredentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
			preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
			if !preflight {
				if expose != "" {
					h.Set("Access-Control-Expose-Headers", expose)
				}
				next.ServeHTTP(w, r)
				return
			}
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", methods)
			if headers != "" {
				h.Set("Access-Control-Allow-Headers", headers)
			} else if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
			if maxAge != "" {
				h.Set("Access-Control-Max-Age", maxAge)
			}
			w.WriteHeader(http.StatusNoContent)
		})
	}
}
