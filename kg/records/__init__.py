"""Records: curated YAML files read into typed, checked records (model, loading, vocabulary, checks).

The lowest stage: it imports nothing from the other stages, and nothing here makes a triple.
"""
