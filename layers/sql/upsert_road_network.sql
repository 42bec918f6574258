-- The catalogue row of a road network: its file and sizes, replaced on re-import.
INSERT INTO road_networks VALUES (%s, %s, %s, %s, %s, %s, now())
ON CONFLICT (network) DO UPDATE
SET source_file = EXCLUDED.source_file,
    nodes = EXCLUDED.nodes,
    edges = EXCLUDED.edges,
    dropped_nodes = EXCLUDED.dropped_nodes,
    dropped_edges = EXCLUDED.dropped_edges,
    imported_at = now()
