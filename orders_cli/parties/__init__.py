"""parties"""
