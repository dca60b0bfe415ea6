package partnerhttp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// refusal reports whether an answer is a business refusal. Only an answer that carries a partner
// error code can be one: a bare 400 or 409 may come from a proxy in between.
func (c *Client) refusal(status int, code string) bool {
	if code == "" {
		return false
	}
	switch status {
	case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
		return true
	case http.StatusNotFound:
		return slices.Contains(c.notFound, code)
	}
	return false
}

// errorBody is the partners' error shape: {"error":{"code":"...","message":"..."}}.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// maxMessageBytes bounds the partner's message kept in a Rejection, which ends up in the
// operation record and the failure event.
const maxMessageBytes = 1024

// errorOf reads the code and message of an error answer; both are empty when the body is not in
// the partners' shape.
func errorOf(raw []byte) (code, message string) {
	var b errorBody
	if err := json.Unmarshal(raw, &b); err != nil {
		return "", ""
	}
	message = b.Error.Message
	if len(message) > maxMessageBytes {
		message = strings.ToValidUTF8(message[:maxMessageBytes], "")
	}
	return b.Error.Code, message
}

// Rejection is a partner's business refusal of a request: it is invalid, conflicts with the
// partner's state, or names a resource the partner does not have. Retrying cannot change it.
type Rejection struct {
	Partner string
	Status  int
	Code    string
	Message string
}

func (e *Rejection) Error() string {
	return fmt.Sprintf("%s partner refused the request (%d %s): %s", e.Partner, e.Status, e.Code, e.Message)
}
