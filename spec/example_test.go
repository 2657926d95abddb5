package spec_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/mmoauth/mmoauth/spec"
)

// A mock server or a conformance check validates every response it sees.
func ExampleValidator_ValidateResponse() {
	v, err := spec.NewValidator()
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest(http.MethodDelete, "/api/v4/oauth/apps/abcdefghijklmnopqrstuvwxyz", nil)
	header := http.Header{"Content-Type": {"application/json; charset=utf-8"}}

	fmt.Println(v.OperationID(req))
	fmt.Println(v.ValidateResponse(context.Background(), req, http.StatusOK, header, []byte(`{"status":"OK"}`)))

	err = v.ValidateResponse(context.Background(), req, http.StatusOK, header, []byte(`{"status":"ok"}`))
	var re *spec.ResponseError
	if errors.As(err, &re) {
		fmt.Println(re.Operation, re.Status, re.Pointer)
	}
	// Output:
	// DeleteOAuthApp
	// <nil>
	// DeleteOAuthApp 200 /status
}
