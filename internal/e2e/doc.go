// Package e2e holds kefu's browser tests. They build the whole application
// (app.New) on a loopback port, load the demo company, and drive a headless
// Chromium through the web pages with chromedp, as the staff of an
// after-sales company would: log in, search, edit a contact, switch the
// language.
//
// The tests need Chromium at /usr/bin/chromium or at $KEFU_CHROMIUM. Without
// it they skip, unless KEFU_BROWSER_TESTS=required (CI), which makes them
// fail. KEFU_E2E_SHOTS=<dir> also writes the screenshots to dir.
package e2e
