# The NapGeo API for Docker users (see docker-compose.yml). ./napgeo run and ./napgeo test do not use it.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# npm brings the browser libraries the app serves itself (MapLibre GL JS, Natural Earth outlines): no CDN at run time.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cd src/NapGeo.Api/web && npm ci --no-audit --no-fund
RUN dotnet publish src/NapGeo.Api/NapGeo.Api.csproj -c Release -o /app \
    && mkdir -p /app/web && cp -r src/NapGeo.Api/web/node_modules /app/web/node_modules

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# GDAL reads the upload formats (KML, KMZ, GPX, Shapefile, GeoPackage).
RUN apt-get update && apt-get install -y --no-install-recommends gdal-bin && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
COPY data /app/data
ENV NAPGEO_URLS=http://0.0.0.0:5080
EXPOSE 5080
USER app
ENTRYPOINT ["dotnet", "NapGeo.Api.dll"]
