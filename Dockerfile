# syntax=docker/dockerfile:1
#
# PortMapper's container image (docs/deploy.md).
#   docker build -t portmapper .                 the image: the published app on the ASP.NET Core runtime image
#   docker build --target test .                 runs ./test.sh, the project's test command, in the build stage
#   docker run --rm -p 127.0.0.1:8080:8080 --read-only --tmpfs /tmp portmapper
#
# The app targets net10.0 and is published framework-dependent: the SDK 10 image builds it and the ASP.NET Core 10
# runtime image runs it.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The front end's libraries come from npm (wwwroot/package-lock.json).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY wwwroot/package.json wwwroot/package-lock.json wwwroot/
RUN cd wwwroot && npm ci --no-audit --no-fund
COPY . .
RUN dotnet restore PortMapper.sln
RUN dotnet publish src/PortMapper.Web/PortMapper.Web.csproj -c Release --no-restore -o /app

FROM build AS test
# Ubuntu's chromium package is a snap, which does not run in a container: the browser tests use the Chromium
# that Playwright installs (PowerShell comes with the SDK image).
RUN dotnet build tests/PortMapper.EndToEnd/PortMapper.EndToEnd.csproj -c Release --no-restore \
 && pwsh "$(ls tests/PortMapper.EndToEnd/bin/Release/net10.0/playwright.ps1 | head -n 1)" install --with-deps chromium
RUN PORTMAPPER_CHROMIUM="$(find /root/.cache/ms-playwright -type f -name chrome -path '*/chrome-linux*/*' | head -n 1)" ./test.sh

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app/ ./
# The image's non-root "app" user (UID 1654). Nothing is written outside /tmp: Data Protection keys are kept in
# memory unless --data-protection-keys names a mounted directory, so the root filesystem can be read-only.
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["/app/PortMapper.Web", "--urls", "http://+:8080"]
