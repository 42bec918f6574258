-- depends: 0008.scenarios
-- Several road networks side by side: node ids are dense (1..n) within a network.
ALTER TABLE roads DROP CONSTRAINT roads_source_fkey;
ALTER TABLE roads DROP CONSTRAINT roads_target_fkey;
ALTER TABLE road_nodes ADD COLUMN network text NOT NULL DEFAULT 'default';
ALTER TABLE road_nodes DROP CONSTRAINT road_nodes_pkey;
ALTER TABLE road_nodes ADD PRIMARY KEY (network, id);
ALTER TABLE roads ADD CONSTRAINT roads_source_fkey FOREIGN KEY (network, source) REFERENCES road_nodes (network, id) ON DELETE CASCADE;
ALTER TABLE roads ADD CONSTRAINT roads_target_fkey FOREIGN KEY (network, target) REFERENCES road_nodes (network, id) ON DELETE CASCADE;
CREATE INDEX roads_network ON roads (network);
CREATE TABLE road_networks (
    network        text PRIMARY KEY,
    source_file    text NOT NULL,
    nodes          integer NOT NULL,
    edges          integer NOT NULL,
    dropped_nodes  integer NOT NULL,
    dropped_edges  integer NOT NULL,
    imported_at    timestamptz NOT NULL DEFAULT now()
);
