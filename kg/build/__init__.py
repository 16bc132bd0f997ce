"""Build: records to quads to a store (mapping, reader workers, inferred closure, SHACL and QC
validation, HermiT reasoning, incremental rebuilds). `kg.build.pipeline.build` is the entry point."""
