"""files.uploadV2 in the fake Slack: files.getUploadURLExternal, the upload itself, files.completeUploadExternal.

Shapes as Slack answers them: the upload URL takes the raw bytes in a POST and says `OK - <length>`; completing
shares the files in `channel_id` (a message carrying them) and answers with each file's id and title.
"""
import json

from bot.devtools.fakeslack_methods import _need


class FileMethods:
    """Mixed into FakeSlack, next to WebApiMethods."""

    def uploaded(self, file_id: str) -> dict:
        """A file as the bot uploaded it: filename, title, alt_txt, bytes (`content`), channels it was shared in."""
        with self._lock:
            return dict(self._files[file_id])

    def _m_files_getUploadURLExternal(self, a):
        _need(a.get("filename"), "invalid_arguments")
        try:
            length = int(a.get("length"))
        except (TypeError, ValueError):
            length = 0
        _need(length > 0, "invalid_arguments")
        self._seq += 1
        file_id = "F%010d" % self._seq
        self._files[file_id] = {"id": file_id, "filename": a["filename"], "length": length,
                                "alt_txt": a.get("alt_txt"), "content": None, "title": None, "channels": []}
        return {"ok": True, "upload_url": f"http://{self.host}:{self.port}/upload/v1/{file_id}", "file_id": file_id}

    def _upload(self, h, file_id, body):
        with self._lock:
            self.calls.append({"method": "upload", "args": {"file_id": file_id, "bytes": len(body)}})
            record = self._files.get(file_id)
            if record is not None and record["content"] is None:
                record["content"] = body
        if record is None:
            return h.send(404, b"Not Found")
        h.send(200, f"OK - {len(body)}".encode())

    def _m_files_completeUploadExternal(self, a):
        try:
            files = json.loads(a.get("files") or "[]") if isinstance(a.get("files"), str) else a.get("files")
        except ValueError:
            files = None
        _need(isinstance(files, list) and files and all(isinstance(f, dict) for f in files), "invalid_arguments")
        for f in files:
            _need(f.get("id") in self._files and self._files[f["id"]]["content"] is not None, "file_not_found")
        channel = a.get("channel_id")
        if channel:
            c = self._target(channel)
        done = []
        for f in files:
            record = self._files[f["id"]]
            record["title"] = f.get("title") or record["filename"]
            if channel:
                record["channels"].append(c.info["id"])
            done.append({"id": record["id"], "title": record["title"]})
        if channel:
            message = self._store(c, {"text": a.get("initial_comment") or "", "thread_ts": a.get("thread_ts")},
                                  self.bot_user_id, self.bot_id)
            message["files"] = done
        return {"ok": True, "files": done}
