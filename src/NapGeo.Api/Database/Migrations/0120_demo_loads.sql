-- The demo is loaded into a database once. `./napgeo run` asks for it on every start, and loading again put back the
-- demo features a ministry had deleted (invented Ghana sites feeding its statistics and hotspots). A row here says the
-- demo was loaded; `demo load --again` restores what is missing on purpose.
CREATE TABLE IF NOT EXISTS demo_loads (
    loaded_at timestamptz NOT NULL DEFAULT now(),
    inserted integer NOT NULL
);
