# The NapGeo API for Docker users (see docker-compose.yml). ./napgeo run and ./napgeo test do not use it.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/NapGeo.Api/NapGeo.Api.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# GDAL reads the upload formats (KML, GPX, Shapefile, GeoPackage).
RUN apt-get update && apt-get install -y --no-install-recommends gdal-bin && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
COPY data /app/data
ENV NAPGEO_URLS=http://0.0.0.0:5080
EXPOSE 5080
USER app
ENTRYPOINT ["dotnet", "NapGeo.Api.dll"]
