package models

// AppError is the error body of every Mattermost API endpoint except the
// registration endpoint (model/utils.go). request_id and status_code are
// omitted when empty; the server never sends the Go-side "where" field.
type AppError struct {
	ID            string `json:"id"`
	Message       string `json:"message"`
	DetailedError string `json:"detailed_error"`
	RequestID     string `json:"request_id,omitempty"`
	StatusCode    int    `json:"status_code,omitempty"`
	IsOAuth       bool   `json:"is_oauth,omitempty"`
}
