// Package wecom posts messages to a WeCom (企业微信) group robot webhook
// (群机器人): https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…. kefu
// uses it to put near-breach and breach notices where the team already
// looks. It is an edge: it speaks HTTP; domains call it through a small
// interface that app wires.
package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
	"unicode/utf8"
)

// Robot is one group robot.
type Robot struct {
	url    string
	client *http.Client
}

// New returns a robot posting to webhookURL (client nil = a client with a
// 10-second timeout).
func New(webhookURL string, client *http.Client) *Robot {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Robot{url: webhookURL, client: client}
}

// maxText is WeCom's limit for a text message (2048 bytes).
const maxText = 2048

// Push sends a text message, mentioning the given mobile numbers
// (@ in the group). WeCom answers 200 with errcode; anything but 0 is an
// error that carries its errmsg.
func (r *Robot) Push(ctx context.Context, text string, mentionMobiles ...string) error {
	if len(text) > maxText {
		text = text[:maxText]
		for !utf8.ValidString(text) {
			text = text[:len(text)-1]
		}
	}
	body, err := json.Marshal(map[string]any{
		"msgtype": "text",
		"text":    map[string]any{"content": text, "mentioned_mobile_list": mentionMobiles},
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("wecom: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("wecom: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("wecom: HTTP %d: %.200s", resp.StatusCode, b)
	}
	var out struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("wecom: unreadable answer %.200q: %w", b, err)
	}
	if out.ErrCode != 0 {
		return fmt.Errorf("wecom: errcode %d: %s", out.ErrCode, out.ErrMsg)
	}
	return nil
}
