FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/summit
WORKDIR /app
# The live stage: nginx with the RTMP module (the `media` service) and ffmpeg (the worker's replays);
# coturn for meeting calls (the `turn` service).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx libnginx-mod-rtmp ffmpeg coturn \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
COPY . .
RUN mkdir -p "$VAR_DIR" && SECRET_KEY=build python manage.py collectstatic --no-input -v0
# Every service runs as this user, never root: the media server's nginx too, so its workers keep it
# (a non-root nginx has no `user` to switch to) and may write only the media volume.
RUN mkdir -p "$VAR_DIR/media" \
 && useradd --system --home-dir "$VAR_DIR" --shell /usr/sbin/nologin summit && chown -R summit:summit "$VAR_DIR"
USER summit
EXPOSE 8000
# Frames over 64 KiB are refused by the server itself with 1009 (summit/serve.py is Daphne plus that close frame).
CMD ["python", "-m", "summit.serve", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", \
     "--websocket-max-message-size", "65536", "--websocket-max-frame-size", "65536", "summit.asgi:application"]
